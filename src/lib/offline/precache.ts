/**
 * The service worker's precache list, computed at build time from the files the build
 * writes (bundle outputs and public/). Pure: the Vite plugin (`sw-plugin.ts`) collects the
 * files and splices the result into sw.js. URLs are relative to the worker's scope, so the
 * site works from any sub-path.
 */
import { createHash } from 'node:crypto';

export interface BuiltFile {
  /** Path relative to the output directory, with forward slashes. */
  readonly fileName: string;
  readonly content: string | Uint8Array;
}

export interface PrecacheEntry {
  readonly url: string;
  /** Content hash (first 16 hex digits of SHA-256). */
  readonly revision: string;
  readonly bytes: number;
}

export interface PrecacheManifest {
  /** Hash of every entry, on-demand ones included: changes whenever any listed byte changes. */
  readonly version: string;
  /** Cached when the worker installs. */
  readonly entries: readonly PrecacheEntry[];
  /** Bytes of `entries` (what every visitor downloads for offline use). */
  readonly totalBytes: number;
  /** Cached only once a page asks for the group (or fetches one of its files), by group name. */
  readonly onDemand: Readonly<Record<string, readonly PrecacheEntry[]>>;
}

/** Never precached: source maps, the worker itself, dotfiles. */
export const PRECACHE_EXCLUDE: readonly RegExp[] = [/\.map$/, /^sw\.js$/, /(^|\/)\./];

/**
 * Files kept offline only for pages that use them: the threads engine (`coi`, ~35 MB) runs
 * only on cross-origin isolated pages, so precaching it next to `eh` would double the download.
 */
export const ON_DEMAND_GROUPS: Readonly<Record<string, RegExp>> = {
  coi: /^assets\/duckdb-(coi|browser-coi\.(pthread\.)?worker)-[^/]+\.(wasm|js)$/,
};

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
}

const byUrl = (a: PrecacheEntry, b: PrecacheEntry): number => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);

/**
 * Entries sorted by URL; a file listed twice (bundle and public/) keeps its first content.
 * A file matching a group of `onDemand` (the first that matches) goes to that group, not to
 * `entries`.
 */
export function buildPrecacheManifest(
  files: readonly BuiltFile[],
  exclude: readonly RegExp[] = PRECACHE_EXCLUDE,
  onDemand: Readonly<Record<string, RegExp>> = ON_DEMAND_GROUPS,
): PrecacheManifest {
  const seen = new Map<string, PrecacheEntry>();
  for (const f of files) {
    const url = f.fileName.replaceAll('\\', '/').replace(/^\.?\//, '');
    if (url === '' || seen.has(url) || exclude.some((re) => re.test(url))) continue;
    seen.set(url, { url, revision: sha256(f.content).slice(0, 16), bytes: byteLength(f.content) });
  }
  const all = [...seen.values()].sort(byUrl);
  const groups = Object.keys(onDemand).sort();
  const groupOf = (url: string): string | undefined => groups.find((g) => onDemand[g]?.test(url));
  const entries = all.filter((e) => groupOf(e.url) === undefined);
  const grouped: Record<string, PrecacheEntry[]> = {};
  for (const g of groups) grouped[g] = all.filter((e) => groupOf(e.url) === g);
  const version = sha256(all.map((e) => `${e.url} ${e.revision}`).join('\n')).slice(0, 16);
  return { version, entries, totalBytes: entries.reduce((s, e) => s + e.bytes, 0), onDemand: grouped };
}

/** The placeholders in src/sw.ts that the build replaces with the manifest. */
export const MANIFEST_PLACEHOLDER = '__LOYALTY_LENS_PRECACHE__';
export const ON_DEMAND_PLACEHOLDER = '__LOYALTY_LENS_ON_DEMAND__';

function replacePlaceholder(code: string, placeholder: string, json: string): string {
  const re = new RegExp(`(["'\`])${placeholder}\\1`);
  if (!re.test(code)) throw new Error(`sw.js: placeholder ${placeholder} not found`);
  return code.replace(re, () => json);
}

/**
 * sw.js with its placeholder string literals (any quote style) replaced by JSON literals:
 * `{version, urls}` (precached) and `{group: urls}` (on demand). Throws when a placeholder
 * is missing: a worker without its lists would cache nothing and fail silently offline.
 */
export function injectManifest(code: string, manifest: PrecacheManifest): string {
  const precache = JSON.stringify({ version: manifest.version, urls: manifest.entries.map((e) => e.url) });
  const onDemand = JSON.stringify(
    Object.fromEntries(Object.entries(manifest.onDemand).map(([g, entries]) => [g, entries.map((e) => e.url)])),
  );
  return replacePlaceholder(replacePlaceholder(code, MANIFEST_PLACEHOLDER, precache), ON_DEMAND_PLACEHOLDER, onDemand);
}
