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
  /** Hash of every entry: changes whenever any precached byte changes. */
  readonly version: string;
  readonly entries: readonly PrecacheEntry[];
  readonly totalBytes: number;
}

/** Never precached: source maps, the worker itself, dotfiles. */
export const PRECACHE_EXCLUDE: readonly RegExp[] = [/\.map$/, /^sw\.js$/, /(^|\/)\./];

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
}

/** Entries sorted by URL; a file listed twice (bundle and public/) keeps its first content. */
export function buildPrecacheManifest(
  files: readonly BuiltFile[],
  exclude: readonly RegExp[] = PRECACHE_EXCLUDE,
): PrecacheManifest {
  const seen = new Map<string, PrecacheEntry>();
  for (const f of files) {
    const url = f.fileName.replaceAll('\\', '/').replace(/^\.?\//, '');
    if (url === '' || seen.has(url) || exclude.some((re) => re.test(url))) continue;
    seen.set(url, { url, revision: sha256(f.content).slice(0, 16), bytes: byteLength(f.content) });
  }
  const entries = [...seen.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const version = sha256(entries.map((e) => `${e.url} ${e.revision}`).join('\n')).slice(0, 16);
  return { version, entries, totalBytes: entries.reduce((s, e) => s + e.bytes, 0) };
}

/** The placeholder in src/sw.ts that the build replaces with the manifest. */
export const MANIFEST_PLACEHOLDER = '__LOYALTY_LENS_PRECACHE__';

/**
 * sw.js with its placeholder string literal (any quote style) replaced by the manifest as a
 * JSON literal. Throws when the placeholder is missing: a worker without its list would
 * precache nothing and fail silently offline.
 */
export function injectManifest(code: string, manifest: PrecacheManifest): string {
  const re = new RegExp(`(["'\`])${MANIFEST_PLACEHOLDER}\\1`);
  if (!re.test(code)) throw new Error(`sw.js: placeholder ${MANIFEST_PLACEHOLDER} not found`);
  const json = JSON.stringify({ version: manifest.version, urls: manifest.entries.map((e) => e.url) });
  return code.replace(re, () => json);
}
