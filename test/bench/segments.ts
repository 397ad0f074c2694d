/**
 * The segment panels' extra cost on native DuckDB: a dashboard run, then the segment
 * tables and each panel, on the bench's synthetic sales file (files.ts).
 * Usage: npx tsx test/bench/segments.ts [lines=1000000] [threads=1] [repeats=3]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runDashboard, mappedDimensions } from '../../src/lib/analyses/index.ts';
import { runComposition } from '../../src/lib/analyses/composition.ts';
import { runKeyCustomers } from '../../src/lib/analyses/key-customers.ts';
import { runLifecycle } from '../../src/lib/analyses/lifecycle.ts';
import { buildSegmentTables, runSegments, SEGMENT_DEFAULTS, type SegmentParams } from '../../src/lib/analyses/segments.ts';
import { runWarnings } from '../../src/lib/analyses/warnings.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { salesCsv } from './files.ts';

const [lines = 1_000_000, threads = 1, repeats = 3] = process.argv.slice(2).map(Number);
const file = await salesCsv(lines);
const db = await NodeDb.open({ threads });
const report = await loadDataset(db, [{ name: basename(file), bytes: new Uint8Array(readFileSync(file)) }]);
const mapped = mappedOf(report);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const times: Record<string, number[]> = {};
const lap = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const v = await f();
  (times[name] ??= []).push(performance.now() - t0);
  return v;
};
for (let i = 0; i < repeats; i++) {
  const d = await lap('dashboard', () => runDashboard(db, DEFAULT_SETTINGS, mapped));
  const p: SegmentParams = { ...SEGMENT_DEFAULTS, asOf: d.asOf ?? '1970-01-01', churnWindowDays: 180, tierA: 0.8, tierB: 0.95 };
  const t0 = performance.now();
  await lap('customer_keys+customer_segments', () => buildSegmentTables(db, p));
  await lap('segments', () => runSegments(db, p));
  await lap('lifecycle', () => runLifecycle(db, p));
  await lap('warnings', () => runWarnings(db, p));
  await lap('key_customers', () => runKeyCustomers(db));
  await lap('composition', () => runComposition(db, { asOf: p.asOf, dimensions: mappedDimensions(mapped) }));
  (times.all_new ??= []).push(performance.now() - t0);
}
console.log(`${lines} lines, ${threads} thread(s), ${report.rows_kept} kept, median of ${repeats}:`);
for (const [k, v] of Object.entries(times)) console.log(`  ${k.padEnd(34)} ${median(v).toFixed(0)} ms`);
console.log(`  extra ÷ dashboard: ${((median(times.all_new ?? []) / median(times.dashboard ?? [])) * 100).toFixed(1)} %`);
await db.close();
