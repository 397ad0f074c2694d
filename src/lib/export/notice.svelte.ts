/**
 * The confirmation of a finished export: one short status line ("Exported follow-up.xlsx
 * (1,234 rows)") shown for a few seconds. A browser's download may happen without any sign
 * in the page, so each export says it is done; failures keep their own alert where they happen.
 */
import type { Translate } from './report.ts';

/** How long the confirmation stays: long enough to read, short enough not to linger. */
export const NOTICE_MS = 6000;

/** The confirmation's text; `rows` null for a file of no rows (an image, the report). */
export function exportedMessage(t: Translate, int: (n: number) => string, file: string, rows: number | null): string {
  if (rows === null) return t('exp.done.file', { file });
  return t(rows === 1 ? 'exp.done.one' : 'exp.done.rows', { file, rows: int(rows) });
}

export class ExportNotice {
  text = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Replaces the current confirmation, if any, and clears it after `ms`. */
  show(text: string, ms = NOTICE_MS): void {
    clearTimeout(this.#timer);
    this.text = text;
    this.#timer = setTimeout(() => {
      this.text = null;
      this.#timer = undefined;
    }, ms);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.text = null;
  }
}

/** The page's one confirmation line (rendered by `ExportNotice.svelte` in the dashboard). */
export const exportNotice = new ExportNotice();
