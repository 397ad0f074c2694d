/**
 * How the service worker answers one request (pure; imported only by src/sw.ts and tests).
 * - 'shell': the page itself (index.html): network first, the cached copy when offline.
 * - 'cache': a precached file (hashed assets, wasm, demo, icons): cache first.
 * - 'fill': an on-demand file (the threads engine): cache first, and cached when fetched.
 * - 'pass': anything else (other origins, other methods, unknown paths): not touched.
 */
export type Strategy = 'shell' | 'cache' | 'fill' | 'pass';

export const SHELL = 'index.html';

/** The path of `url` relative to `scope` (both absolute), or null when outside it. */
export function relativeToScope(url: string, scope: string): string | null {
  const u = new URL(url);
  const s = new URL(scope);
  if (u.origin !== s.origin || !u.pathname.startsWith(s.pathname)) return null;
  return decodeURIComponent(u.pathname.slice(s.pathname.length));
}

export function strategyFor(
  request: { readonly url: string; readonly method: string; readonly mode: string },
  scope: string,
  precached: ReadonlySet<string>,
  onDemand: ReadonlySet<string> = new Set(),
): Strategy {
  if (request.method !== 'GET') return 'pass';
  const path = relativeToScope(request.url, scope);
  if (path === null) return 'pass';
  if (request.mode === 'navigate' || path === '' || path === SHELL) return 'shell';
  if (precached.has(path)) return 'cache';
  return onDemand.has(path) ? 'fill' : 'pass';
}

/**
 * The paths a page's `{type: 'KEEP_OFFLINE', bundle}` message asks the worker to cache: the
 * named on-demand group's, or null for any other message (or an unknown group: a page never
 * makes the worker cache a path the build did not list).
 */
export function keepOfflinePaths(message: unknown, groups: Readonly<Record<string, readonly string[]>>): readonly string[] | null {
  if (typeof message !== 'object' || message === null) return null;
  const { type, bundle } = message as { type?: unknown; bundle?: unknown };
  if (type !== 'KEEP_OFFLINE' || typeof bundle !== 'string' || !Object.hasOwn(groups, bundle)) return null;
  return groups[bundle] ?? null;
}

export const CACHE_PREFIX = 'loyalty-lens-';
export const cacheName = (version: string): string => `${CACHE_PREFIX}${version}`;

/** Caches an activating worker deletes: ours from other versions, never other apps' caches. */
export function staleCaches(names: readonly string[], version: string): string[] {
  return names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== cacheName(version));
}
