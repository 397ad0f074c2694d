/**
 * The application's JavaScript in a build (dist/assets/*.js without the DuckDB workers),
 * gzipped: all of it, and what loads before the first screen (the entry chunk and the
 * chunks it imports statically, transitively). Chunks imported dynamically (the dashboard,
 * the xlsx and Parquet code) count only in `all`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface JsSize {
  /** KiB gzipped. */
  readonly all: number;
  readonly atStart: number;
  /** The chunks loaded at start. */
  readonly startChunks: readonly string[];
}

export function appJsSize(dist: string): JsSize | null {
  const dir = join(dist, 'assets');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') && !/duckdb|worker/i.test(f));
  const gz = new Map(files.map((f) => [f, gzipSync(readFileSync(join(dir, f))).length]));
  const seen = new Set<string>();
  const visit = (f: string): void => {
    if (seen.has(f) || !gz.has(f)) return;
    seen.add(f);
    // Static imports only (`from"./x.js"`, `import"./x.js"`); `import("./x.js")` loads on demand.
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1] ?? '');
  };
  for (const f of files) if (/^index-/.test(f)) visit(f);
  const kib = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0) / 1024;
  return { all: kib(gz.values()), atStart: kib([...seen].map((f) => gz.get(f) ?? 0)), startChunks: [...seen] };
}
