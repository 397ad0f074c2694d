/**
 * `npm run publish -- SALES_FILE [--survey FILE] [--aggregates-only] [--out DIR] [--page DIR]`
 *
 * The page plus a dataset beside it, for any static host (relative paths only):
 *   DIR/index.html, DIR/assets/…   the production page (built, or copied from --page)
 *   DIR/data/manifest.json         load report, mapping by label, settings
 *   DIR/data/lines.parquet, survey.parquet       (default)
 *   or the dashboard's aggregates in the manifest (--aggregates-only: no customer-level rows)
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initSync } from 'parquet-wasm/esm';
import { runDashboard } from '../lib/analyses/index.ts';
import { NodeDb } from '../lib/db/duckdb-node.ts';
import { parquetBlob } from '../lib/export/parquet.ts';
import { openTable } from '../lib/export/stream.ts';
import { loadDataset, type InputFile } from '../lib/ingest/load.ts';
import { IngestError, type LoadReport } from '../lib/ingest/types.ts';
import { mappedOf } from '../lib/model/mapped.ts';
import { MAPPING_FIELDS } from '../lib/model/schema.ts';
import { DEFAULT_SETTINGS } from '../lib/model/settings.ts';
import { aggregatesOnly, MANIFEST_VERSION, publicReport, type PublishedManifest } from '../lib/state/published.ts';
import type { LabelMapping } from '../lib/state/url.ts';
import { readInput } from './input.ts';
import { UsageError } from './settings-flags.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = 'usage: npm run publish -- SALES_FILE [--survey FILE] [--aggregates-only] [--out DIR] [--page DIR]';


let parquetReady = false;
function parquetInit(): void {
  if (parquetReady) return;
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  parquetReady = true;
}

function labelMapping(report: LoadReport): LabelMapping {
  const sales = report.files.find((f) => f.role === 'sales');
  const out: LabelMapping = {};
  if (!sales) return out;
  for (const f of MAPPING_FIELDS) {
    const col = sales.mapping[f];
    const label = col === undefined ? undefined : sales.labels[col];
    if (label !== undefined) out[f] = label;
  }
  return out;
}

async function page(outDir: string, from: string | undefined): Promise<void> {
  if (from !== undefined) {
    if (!existsSync(join(from, 'index.html'))) throw new UsageError(`--page ${from}: no index.html there`);
    const data = join(from, 'data');
    cpSync(from, outDir, { recursive: true, filter: (src) => src !== data && !src.startsWith(data + sep) });
    return;
  }
  const { build } = await import('vite');
  await build({ root: ROOT, base: './', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

/** Only an empty folder or an earlier publication is replaced (never, say, the working directory). */
function checkReplaceable(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (readdirSync(outDir).length > 0 && !existsSync(join(outDir, 'data', 'manifest.json'))) {
    throw new UsageError(`--out ${outDir}: not empty and not an earlier publication; choose a new folder`);
  }
}

async function writeParquet(db: NodeDb, table: string, path: string): Promise<void> {
  const source = await openTable(db, table);
  writeFileSync(path, new Uint8Array(await (await parquetBlob(source, parquetInit)).arrayBuffer()));
}

export async function publish(args: readonly string[]): Promise<{ outDir: string; manifest: PublishedManifest }> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      survey: { type: 'string' },
      'aggregates-only': { type: 'boolean', default: false },
      out: { type: 'string', default: 'published' },
      page: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const sales = await readInput(positionals[0] as string);
  const survey = values.survey === undefined ? undefined : await readInput(values.survey);
  const outDir = resolve(values.out ?? 'published');
  checkReplaceable(outDir);
  const db = await NodeDb.open({ threads: 2 });
  try {
    const report = await loadDataset(db, [sales], { parquetInit, ...(survey ? { survey } : {}) });
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    await page(outDir, values.page === undefined ? undefined : resolve(values.page));
    // The demo files are someone's sample customers: a published site carries only its own data.
    rmSync(join(outDir, 'demo'), { recursive: true, force: true });
    const dataDir = join(outDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const base = {
      version: MANIFEST_VERSION,
      published: new Date().toISOString(),
      report: publicReport(report),
      mapping: labelMapping(report),
      settings: DEFAULT_SETTINGS,
    } as const;
    let manifest: PublishedManifest;
    if (values['aggregates-only']) {
      const result = aggregatesOnly(await runDashboard(db, DEFAULT_SETTINGS, mappedOf(report)));
      manifest = { ...base, mode: 'aggregates', result };
    } else {
      await writeParquet(db, 'lines', join(dataDir, 'lines.parquet'));
      const hasSurvey = report.files.some((f) => f.role === 'survey');
      if (hasSurvey) await writeParquet(db, 'survey', join(dataDir, 'survey.parquet'));
      manifest = { ...base, mode: 'parquet', tables: { lines: 'lines.parquet', survey: hasSurvey ? 'survey.parquet' : null } };
    }
    writeFileSync(join(dataDir, 'manifest.json'), JSON.stringify(manifest));
    return { outDir, manifest };
  } finally {
    await db.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  publish(process.argv.slice(2)).then(
    ({ outDir, manifest }) => {
      process.stdout.write(`published (${manifest.mode}) to ${outDir}\n`);
    },
    (e: unknown) => {
      if (e instanceof UsageError || (e instanceof TypeError && 'code' in e)) {
        process.stderr.write(`${e.message}\n${USAGE}\n`);
        process.exit(2);
      }
      if (e instanceof IngestError) {
        process.stderr.write(`cannot load: ${e.code} ${JSON.stringify(e.detail)}\n`);
        process.exit(1);
      }
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
