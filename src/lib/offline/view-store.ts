/**
 * The view that goes with the stored dataset (settings, panel, mapping), kept as the same
 * query string a shared link carries, so that reading it back goes through the link's
 * validation (`readUrlState`).
 */
const VIEW_KEY = 'loyalty-lens.view';

export function saveView(query: string): void {
  try {
    globalThis.localStorage?.setItem(VIEW_KEY, query);
  } catch {
    // Storage full or disabled: the view falls back to the defaults next time.
  }
}

export function loadView(): string | null {
  try {
    return globalThis.localStorage?.getItem(VIEW_KEY) ?? null;
  } catch {
    return null;
  }
}

export function clearView(): void {
  try {
    globalThis.localStorage?.removeItem(VIEW_KEY);
  } catch {
    // Nothing stored.
  }
}
