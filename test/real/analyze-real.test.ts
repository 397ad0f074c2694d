/**
 * The `analyze` command and the library agree: `analyze --json` on CDNOW_master.txt prints
 * the numbers that loadDataset → runDashboard → metricsOf give in-process (same engine, same
 * SQL, so the same doubles), with default settings, with --as-of/--churn-window, and with
 * --threads 2. Reads ../shared.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOf, runDashboard } from '../../src/lib/analyses/index.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import type { LoadReport } from '../../src/lib/ingest/types.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import { METRIC_IDS, type Metrics } from '../../src/lib/model/metrics.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../src/lib/model/settings.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CDNOW = fileURLToPath(new URL('../../../shared/data/cdnow/CDNOW_master.txt', import.meta.url));

interface CliOutput {
  readonly asOf: string | null;
  readonly metrics: Metrics;
  readonly report: Omit<LoadReport, 'rejected' | 'skipped' | 'millis'> & { readonly millis: number };
}

function analyzeJson(args: readonly string[]): Promise<CliOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', CDNOW, ...args, '--json'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || stderr !== '') reject(new Error(`analyze exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as CliOutput);
    });
  });
}

const CASES: readonly { readonly name: string; readonly args: readonly string[]; readonly settings: Settings }[] = [
  { name: 'default', args: [], settings: DEFAULT_SETTINGS },
  {
    name: '--as-of 1997-12-31 --churn-window 90',
    args: ['--as-of', '1997-12-31', '--churn-window', '90'],
    settings: { ...DEFAULT_SETTINGS, asOf: '1997-12-31', churnWindowDays: 90 },
  },
  { name: '--threads 2', args: ['--threads', '2'], settings: DEFAULT_SETTINGS },
];

const table: Record<string, Record<string, string>> = {};

describe('analyze --json on CDNOW_master.txt', () => {
  let db: NodeDb;
  let report: LoadReport;
  let cli: CliOutput[];

  beforeAll(async () => {
    // The command runs in its own processes while the library loads the same bytes here.
    const pending = Promise.all(CASES.map((c) => analyzeJson(c.args)));
    db = await NodeDb.open();
    report = await loadDataset(db, [{ name: 'CDNOW_master.txt', bytes: new Uint8Array(readFileSync(CDNOW)) }]);
    cli = await pending;
  });
  afterAll(async () => {
    await db.close();
    console.table(table);
  });

  it('reports the load as the library does', () => {
    for (const out of cli) {
      const { millis: _cli, ...printed } = out.report;
      const { rejected, skipped, millis: _lib, ...totals } = report;
      expect(printed).toEqual({ ...totals, rejected, skipped, rejectedListed: 0 });
    }
    expect(report.rows_kept).toBe(69_659);
  });

  it.each(CASES.map((c, i) => ({ ...c, i })))('prints the same metrics as runDashboard/metricsOf ($name)', async ({ settings, i }) => {
    const result = await runDashboard(db, settings, mappedOf(report));
    const lib = metricsOf(result, report);
    const out = cli[i];
    expect(out?.asOf).toBe(result.asOf);
    if (CASES[i]?.args.includes('--threads')) {
      // Two threads add DOUBLE values in another order (the pace drop, the mean spend the
      // Gamma-Gamma fit reads): equal to 1e-9 relative, counts and DECIMAL sums exactly.
      for (const id of METRIC_IDS) {
        const [a, b] = [out?.metrics[id] ?? null, lib[id]];
        if (a === null || b === null || Number.isInteger(b)) expect(a, id).toBe(b);
        else expect(Math.abs(a - b), id).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
      }
    } else expect(out?.metrics).toEqual(lib);
    for (const id of METRIC_IDS) {
      const v = out?.metrics[id] ?? null;
      (table[id] ??= {})[CASES[i]?.name ?? String(i)] = v === null ? 'null' : String(Number(v.toPrecision(10)));
    }
  });
});
