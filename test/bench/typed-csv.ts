/**
 * A text file loaded the default way (typed-csv.ts: read by the engine, all-simple files
 * straight into the lines) against the forced full path (`typedCsv: false`: normalizer and
 * full stage), alternating, on native DuckDB (one thread) or on the page's wasm engine in
 * Node. Prints wall and CPU milliseconds of each load (with one thread the engine's work is
 * this process's CPU time; the machine is shared, so compare the alternating pairs) and
 * checks that both ways give the same report.
 *
 *   npx tsx test/bench/typed-csv.ts [--lines 1000000] [--engine native|wasm] [--rounds 3] [--file path.csv] [--quoted | --export | --gb18030] [--warmup]
 *
 * `--quoted`: the sales with quoted money (`"1,234.50"`, files.ts `quotedCsv`); `--export`:
 * the formatted GB18030 export (files.ts `exportCsv`: a title line, quoted money);
 * `--gb18030`: the plain sales in GB18030 (files.ts `salesGbCsv`).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename } from 'node:path';
import type { DbClient } from '../../src/lib/db/client.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { exportCsv, quotedCsv, salesCsv, salesGbCsv } from './files.ts';
import { BlockingWasmDb } from '../lib/db/wasm-blocking.ts';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const engine = arg('engine', 'native');
const rounds = Number(arg('rounds', '3'));
const lines = Number(arg('lines', '1000000'));
const path =
  arg('file', '') ||
  (process.argv.includes('--quoted')
    ? await quotedCsv(lines)
    : process.argv.includes('--export')
    ? await exportCsv(lines)
    : process.argv.includes('--gb18030')
    ? await salesGbCsv(lines)
    : await salesCsv(lines));
const bytes = new Uint8Array(readFileSync(path));

async function once(typedCsv: boolean): Promise<{ wall: number; cpu: number; report: string }> {
  const db: DbClient = engine === 'wasm' ? await BlockingWasmDb.open() : await NodeDb.open({ threads: 1 });
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { millis: _, ...report } = await loadDataset(db, [{ name: basename(path), bytes }], { typedCsv });
    const wall = performance.now() - t0;
    const c = process.cpuUsage(cpu0);
    return { wall, cpu: (c.user + c.system) / 1000, report: JSON.stringify(report) };
  } finally {
    await db.close();
  }
}

console.log(`${basename(path)} (${(bytes.length / 1e6).toFixed(1)} MB) on ${engine}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const results: Record<'typed' | 'full', { wall: number; cpu: number }[]> = { typed: [], full: [] };
let reference: string | null = null;
if (process.argv.includes('--warmup')) {
  // The process's first load pays for compiling the code: one of each, not counted.
  for (const typed of [true, false]) {
    const m = await once(typed);
    reference ??= m.report;
    console.log(`warm-up ${typed ? 'typed' : 'full '}: wall ${m.wall.toFixed(0)} ms (not counted)`);
  }
}
for (let r = 0; r < rounds; r++) {
  // Alternate which way goes first, so neither always meets the same moment of the machine.
  for (const typed of r % 2 === 0 ? [true, false] : [false, true]) {
    const m = await once(typed);
    reference ??= m.report;
    if (m.report !== reference) throw new Error('the two ways gave different reports');
    results[typed ? 'typed' : 'full'].push(m);
    console.log(`round ${r + 1} ${typed ? 'typed' : 'full '}: wall ${m.wall.toFixed(0)} ms, cpu ${m.cpu.toFixed(0)} ms`);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
for (const k of ['wall', 'cpu'] as const) {
  const t = median(results.typed.map((x) => x[k]));
  const f = median(results.full.map((x) => x[k]));
  console.log(`median ${k}: typed ${t.toFixed(0)} ms, full ${f.toFixed(0)} ms, typed ÷ full ${(t / f).toFixed(2)}`);
}
console.log(`load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}; reports identical`);
