/**
 * A dashboard run statement by statement: after a first run (warm-up), each phase's
 * statements with their milliseconds, on native DuckDB or on the page's engine
 * (duckdb-wasm's `eh` build, one thread, run in Node through its blocking bindings).
 *
 *   npx tsx test/bench/profile-panels.ts [--lines 1000000] [--engine native|wasm]
 *        [--runs 3] [--threads 1] [--explain PATTERN]   (native: the operators of the statements whose SQL matches, slowest first)
 *        [--defer]   (the page's run: each panel's deferred part left out)
 *        [--filter DIM[=VALUE]]   (the run after a filter change: lines of VALUE of dimension DIM only;
 *                                  without VALUE, its most common one, the first the page offers)
 *
 * Each phase shows wall-clock ms and the process's CPU ms: on a shared machine the wall
 * clock grows with the others' load, the CPU time much less (the wasm engine runs on this
 * process's one thread), so compare two versions by CPU ms when the load is high.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { datasetFacts, runDashboard, DASHBOARD_PHASES, type DashboardPhase } from '../../src/lib/analyses/index.ts';
import type { ArrowInsertOptions, DbClient, Row } from '../../src/lib/db/client.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import type { SqlQuery } from '../../src/lib/db/sql.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/model/settings.ts';
import { salesCsv } from './files.ts';
import { BlockingWasmDb } from '../lib/db/wasm-blocking.ts';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const lines = Number(arg('lines', '1000000'));
const engine = arg('engine', 'native');
const runs = Number(arg('runs', '3'));
const threads = Number(arg('threads', '1'));
const explain = arg('explain', '');
const defer = process.argv.includes('--defer');
const filterArg = arg('filter', '');

/** A node of DuckDB's JSON profile (PRAGMA enable_profiling = 'json'). */
interface ProfileNode {
  readonly operator_name?: string;
  readonly operator_timing?: number;
  readonly operator_cardinality?: number;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly ProfileNode[];
}

/** Every operator of a profile, flat, with its own time (children excluded, as DuckDB reports it). */
function operators(node: ProfileNode, depth = 0): { name: string; ms: number; rows: number; info: string }[] {
  const info = Object.entries(node.extra_info ?? {})
    .map(([k, v]) => `${k}: ${String(v).replace(/\s+/g, ' ').slice(0, 90)}`)
    .join('; ');
  const own = node.operator_name ? [{ name: `${'.'.repeat(depth)}${node.operator_name}`, ms: (node.operator_timing ?? 0) * 1000, rows: node.operator_cardinality ?? 0, info }] : [];
  return [...own, ...(node.children ?? []).flatMap((c) => operators(c, depth + 1))];
}

interface Step {
  readonly phase: DashboardPhase;
  readonly sql: string;
  readonly query: SqlQuery | string;
  readonly ms: number;
  readonly cpu: number;
}

/** Records every statement's time under the phase that ran it. */
class Tracing implements DbClient {
  phase: DashboardPhase = 'canonical';
  steps: Step[] = [];
  constructor(private readonly inner: DbClient) {}
  private async time<T>(q: SqlQuery | string, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const v = await f();
    const c = process.cpuUsage(c0);
    this.steps.push({ phase: this.phase, sql: typeof q === 'string' ? q : q.text, query: q, ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
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
  insertArrowIPC(t: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void> {
    return this.inner.insertArrowIPC(t, ipc, options);
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
let settings: Settings = DEFAULT_SETTINGS;
if (filterArg) {
  const [dim = '', given] = filterArg.split('=');
  const choices: Readonly<Record<string, { readonly values: readonly { readonly value: string }[] } | undefined>> = (await datasetFacts(base, mapped)).choices;
  const value = given ?? choices[dim]?.values[0]?.value;
  if (value === undefined) throw new Error(`--filter ${filterArg}: no such dimension or value (dimensions: ${Object.keys(choices).join(', ')})`);
  settings = { ...DEFAULT_SETTINGS, filters: { ...DEFAULT_SETTINGS.filters, dims: { [dim]: [value] } } };
  console.log(`filter: ${dim} = ${value}`);
}
await runDashboard(base, settings, mapped, undefined, { defer });
const perRun: Step[][] = [];
const totals: number[] = [];
for (let i = 0; i < runs; i++) {
  db.steps = [];
  db.phase = 'canonical';
  const t0 = performance.now();
  await runDashboard(db, settings, mapped, (phase) => {
    db.phase = phase;
  }, { defer });
  totals.push(performance.now() - t0);
  perRun.push(db.steps);
}
console.log(`${lines} lines on ${engine}${engine === 'native' ? ` (${threads} thread(s))` : ''}: ${report.rows_kept} kept; median of ${runs} runs after a first`);
console.log(`dashboard run${defer ? ' (deferred parts left out)' : ''}: ${median(totals).toFixed(0)} ms`);
const phaseCpu: Partial<Record<DashboardPhase, number>> = {};
for (const phase of DASHBOARD_PHASES) {
  const steps = perRun.map((r) => r.filter((s) => s.phase === phase));
  const phaseMs = median(steps.map((r) => r.reduce((a, s) => a + s.ms, 0)));
  const cpuMs = median(steps.map((r) => r.reduce((a, s) => a + s.cpu, 0)));
  phaseCpu[phase] = cpuMs;
  console.log(`\n${phase}: ${phaseMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms`);
  (steps[0] ?? []).forEach((s, k) => {
    const m = median(steps.map((r) => r[k]?.ms ?? NaN));
    const c = median(steps.map((r) => r[k]?.cpu ?? NaN));
    if (m >= 5) console.log(`  ${m.toFixed(0).padStart(6)}  CPU ${c.toFixed(0).padStart(6)}  ${label(s.sql)}`);
  });
}
// BENCHMARKS.md's ratio: the three segment panels against the run before them.
const cpuOf = (ids: readonly DashboardPhase[]) => ids.reduce((a, id) => a + (phaseCpu[id] ?? 0), 0);
const before = cpuOf(['canonical', 'overview', 'pareto', 'repurchase', 'retention', 'satisfaction']);
const added = cpuOf(['segments', 'lifecycle', 'composition']);
console.log(`\nCPU: run before the segment panels ${before.toFixed(0)} ms; segments + lifecycle + composition ${added.toFixed(0)} ms = ${((100 * added) / before).toFixed(1)} %`);
if (explain && engine === 'native') {
  const re = new RegExp(explain, 'i');
  for (const s of perRun[0] ?? []) {
    if (!re.test(s.sql)) continue;
    const out = join(tmpdir(), `profile-${process.pid}.json`);
    console.log(`\n== the operators of ${label(s.sql)}, slowest first`);
    try {
      await base.exec(`PRAGMA enable_profiling = 'json'`);
      await base.exec(`PRAGMA profiling_output = '${out}'`);
      await base.query<Row>(typeof s.query === 'string' ? s.query : { text: s.query.text, params: [...s.query.params] });
      await base.exec('PRAGMA disable_profiling');
      for (const o of operators(JSON.parse(readFileSync(out, 'utf8')) as ProfileNode).sort((a, b) => b.ms - a.ms).slice(0, 25)) {
        console.log(`  ${o.ms.toFixed(1).padStart(7)} ms  ${String(o.rows).padStart(9)} rows  ${o.name}  ${o.info}`);
      }
    } catch (e) {
      console.log(`  (not explained: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
  }
}
await base.close();
