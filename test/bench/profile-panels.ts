/**
 * A dashboard run statement by statement: after a first run (warm-up), each phase's
 * statements with their milliseconds, on native DuckDB or on the page's engine
 * (duckdb-wasm's `eh` build, one thread, run in Node through its blocking bindings).
 *
 *   npx tsx test/bench/profile-panels.ts [--lines 1000000] [--engine native|wasm]
 *        [--runs 3] [--threads 1] [--explain PATTERN]   (native: EXPLAIN ANALYZE of the statements whose SQL matches)
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runDashboard, DASHBOARD_PHASES, type DashboardPhase } from '../../src/lib/analyses/index.ts';
import type { DbClient, Row } from '../../src/lib/db/client.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import type { SqlQuery } from '../../src/lib/db/sql.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { salesCsv } from './files.ts';
import { BlockingWasmDb } from './wasm-blocking.ts';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const lines = Number(arg('lines', '1000000'));
const engine = arg('engine', 'native');
const runs = Number(arg('runs', '3'));
const threads = Number(arg('threads', '1'));
const explain = arg('explain', '');

interface Step {
  readonly phase: DashboardPhase;
  readonly sql: string;
  readonly query: SqlQuery | string;
  readonly ms: number;
}

/** Records every statement's time under the phase that ran it. */
class Tracing implements DbClient {
  phase: DashboardPhase = 'canonical';
  steps: Step[] = [];
  constructor(private readonly inner: DbClient) {}
  private async time<T>(q: SqlQuery | string, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const v = await f();
    this.steps.push({ phase: this.phase, sql: typeof q === 'string' ? q : q.text, query: q, ms: performance.now() - t0 });
    return v;
  }
  exec(q: SqlQuery | string): Promise<void> {
    return this.time(q, () => this.inner.exec(q));
  }
  query<T extends Row = Row>(q: SqlQuery | string): Promise<T[]> {
    return this.time(q, () => this.inner.query<T>(q));
  }
  registerBuffer(b: Uint8Array): Promise<string> {
    return this.inner.registerBuffer(b);
  }
  dropBuffer(p: string): Promise<void> {
    return this.inner.dropBuffer(p);
  }
  insertArrowIPC(t: string, ipc: Uint8Array): Promise<void> {
    return this.inner.insertArrowIPC(t, ipc);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A statement's label: what it creates, or its first words. */
function label(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const created = /^CREATE (?:OR REPLACE )?(?:TEMP )?(?:TABLE|VIEW) (\S+)/i.exec(flat);
  return created ? `create ${created[1]}` : flat.slice(0, 90);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] ?? NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

const file = await salesCsv(lines);
const base: DbClient = engine === 'wasm' ? await BlockingWasmDb.open() : await NodeDb.open({ threads });
const report = await loadDataset(base, [{ name: basename(file), bytes: new Uint8Array(readFileSync(file)) }]);
const mapped = mappedOf(report);
const db = new Tracing(base);
await runDashboard(base, DEFAULT_SETTINGS, mapped);
const perRun: Step[][] = [];
const totals: number[] = [];
for (let i = 0; i < runs; i++) {
  db.steps = [];
  db.phase = 'canonical';
  const t0 = performance.now();
  await runDashboard(db, DEFAULT_SETTINGS, mapped, (phase) => {
    db.phase = phase;
  });
  totals.push(performance.now() - t0);
  perRun.push(db.steps);
}
console.log(`${lines} lines on ${engine}${engine === 'native' ? ` (${threads} thread(s))` : ''}: ${report.rows_kept} kept; median of ${runs} runs after a first`);
console.log(`dashboard run: ${median(totals).toFixed(0)} ms`);
for (const phase of DASHBOARD_PHASES) {
  const steps = perRun.map((r) => r.filter((s) => s.phase === phase));
  const phaseMs = median(steps.map((r) => r.reduce((a, s) => a + s.ms, 0)));
  console.log(`\n${phase}: ${phaseMs.toFixed(0)} ms`);
  (steps[0] ?? []).forEach((s, k) => {
    const m = median(steps.map((r) => r[k]?.ms ?? NaN));
    if (m >= 5) console.log(`  ${m.toFixed(0).padStart(6)}  ${label(s.sql)}`);
  });
}
if (explain && engine === 'native') {
  const re = new RegExp(explain, 'i');
  for (const s of perRun[0] ?? []) {
    if (!re.test(s.sql)) continue;
    const strip = (t: string) => `EXPLAIN ANALYZE ${t}`;
    const q: SqlQuery = typeof s.query === 'string' ? { text: strip(s.query), params: [] } : { text: strip(s.query.text), params: [...s.query.params] };
    console.log(`\n== EXPLAIN ANALYZE ${label(s.sql)}`);
    try {
      const rows = await base.query<Row>(q);
      for (const r of rows) console.log(String(r.explain_value ?? Object.values(r).at(-1)));
    } catch (e) {
      console.log(`  (not explained: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
  }
}
await base.close();
