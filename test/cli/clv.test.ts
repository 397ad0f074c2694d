/**
 * The lifetime-value panel through `analyze`, on the CDNOW 1/10 sample (test/fixtures/clv,
 * SOURCE.md): customer = sample id, calibration end 1997-09-30, weeks. The fits must be the
 * published ones (Fader, Hardie & Lee 2005; Fader & Hardie 2013), and `--customers` must
 * carry each customer's predictions after the list's own columns.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_LIST_COLUMNS } from '../../src/lib/analyses/customer-list.ts';
import type { Metrics } from '../../src/lib/model/metrics.ts';
import { runCli, type Run } from './run-cli.ts';

const CDNOW = 'test/fixtures/clv/cdnowElog.csv';
const MAP = ['--map', 'customer=sampleid', '--map', 'date=date', '--map', 'amount=sales'];

interface Output {
  readonly metrics: Metrics;
  readonly tables: { readonly clv: Record<string, readonly Record<string, unknown>[]> };
}

let run: Run;
let help: Run;
let refused: Run;
let csvPath: string;

beforeAll(async () => {
  csvPath = join(mkdtempSync(join(tmpdir(), 'clv-')), 'customers.csv');
  [run, help, refused] = await Promise.all([
    runCli('analyze', CDNOW, ...MAP, '--calibration-end', '1997-09-30', '--json', '--customers', csvPath),
    runCli('analyze', '--help'),
    // Calibration end on the first day: nobody has bought twice yet.
    runCli('analyze', CDNOW, ...MAP, '--calibration-end', '1997-01-01', '--json'),
  ]);
}, 120_000);

const within = (v: number | null, expected: number, rel: number) => {
  expect(v).not.toBeNull();
  expect(Math.abs((v as number) - expected) / Math.abs(expected)).toBeLessThanOrEqual(rel);
};

describe('analyze: lifetime value on CDNOW', () => {
  it('lists the lifetime-value flags in --help', () => {
    expect(help.code).toBe(0);
    for (const flag of ['--calibration-end DATE', '--clv-unit day|week|month', '--horizon NUMBER', '--discount SHARE']) expect(help.stdout).toContain(flag);
  });

  it('gives the published BG/NBD and Gamma-Gamma fits', () => {
    expect(run.code, run.stderr).toBe(0);
    const m = (JSON.parse(run.stdout) as Output).metrics;
    within(m.bgnbd_r, 0.2426, 0.001);
    within(m.bgnbd_alpha, 4.4136, 0.001);
    within(m.bgnbd_a, 0.7929, 0.001);
    within(m.bgnbd_b, 2.4259, 0.001);
    expect(Math.abs((m.bgnbd_ll as number) - -9582.43)).toBeLessThanOrEqual(0.01);
    // Gamma-Gamma: p = 6.25, q = 3.74, γ = 15.44 published to 3 figures (q and γ lie on a ridge).
    within(m.gg_p, 6.25, 0.001);
    within(m.gg_q, 3.74, 0.002);
    within(m.gg_gamma, 15.44, 0.001);
    expect(Math.abs((m.gg_ll as number) - -4055.92)).toBeLessThanOrEqual(0.01);
    expect(m.clv_customers).toBe(2357);
  });

  it('holds the totals, the parameter table and a holdout by x that adds up to the holdout totals', () => {
    const out = JSON.parse(run.stdout) as Output;
    const t = out.tables.clv;
    expect(t.parameters?.map((r) => `${String(r.model)}.${String(r.parameter)}`)).toEqual([
      'bgnbd.r', 'bgnbd.alpha', 'bgnbd.a', 'bgnbd.b', 'gamma-gamma.p', 'gamma-gamma.q', 'gamma-gamma.gamma',
    ]);
    expect(t.parameters?.[0]?.n).toBe(2357);
    expect(t.parameters?.[4]?.n).toBe(946);
    expect(t.refusals).toEqual([]);
    const byX = t.holdout_by_x ?? [];
    expect(byX.map((r) => r.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const sum = (k: string) => byX.reduce((s, r) => s + Number(r[k]), 0);
    expect(sum('customers')).toBe(2357);
    expect(sum('actual')).toBe(out.metrics.clv_holdout_actual);
    expect(sum('expected')).toBeCloseTo(out.metrics.clv_holdout_expected as number, 6);
    // 1411 customers made no repeat purchase by 1997-09-30 (lifetimes' summary: frequency 0).
    expect(byX[0]?.customers).toBe(1411);
    const cum = t.holdout_cumulative ?? [];
    // 1997-10-01 … 1998-06-30 is 273 days: 39 weeks; the last cumulative values are the totals.
    expect(cum).toHaveLength(39);
    expect(cum.at(-1)?.actual).toBe(out.metrics.clv_holdout_actual);
    expect(cum.at(-1)?.expected as number).toBeCloseTo(out.metrics.clv_holdout_expected as number, 6);
    expect((t.p_alive ?? []).reduce((s, r) => s + Number(r.customers), 0)).toBe(2357);
    expect((t.recency_frequency ?? []).reduce((s, r) => s + Number(r.customers), 0)).toBe(2357);
    expect((t.clv_distribution ?? []).reduce((s, r) => s + Number(r.clv), 0)).toBeCloseTo(out.metrics.clv_total as number, 6);
    expect(t.top_customers).toHaveLength(50);
  });

  it('writes P(alive), expected purchases, expected spend and CLV per customer after the list columns', () => {
    const out = JSON.parse(run.stdout) as Output;
    const m = out.metrics;
    const parsed = Papa.parse<string[]>(readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, ''), { skipEmptyLines: true });
    const [header, ...rows] = parsed.data;
    expect(header).toEqual([...CUSTOMER_LIST_COLUMNS, 'p_alive', 'expected_purchases', 'expected_spend', 'clv']);
    expect(rows).toHaveLength(2357);
    const col = (name: string) => (header as string[]).indexOf(name);
    const byId = new Map(rows.map((r) => [r[col('customer_id')], r]));
    const top = out.tables.clv.top_customers?.[0] as { customer_id: string; x: number; t_x: number; t_cal: number; clv: number };
    const row = byId.get(top.customer_id) as string[];
    // P(alive) from FHL 2005 eq. 13 with the printed parameters, written out here.
    const { bgnbd_r: r, bgnbd_alpha: alpha, bgnbd_a: a, bgnbd_b: b } = m as unknown as Record<'bgnbd_r' | 'bgnbd_alpha' | 'bgnbd_a' | 'bgnbd_b', number>;
    const x = top.x;
    const pAlive = 1 / (1 + (a / (b + x - 1)) * ((alpha + top.t_cal) / (alpha + top.t_x)) ** (r + x));
    expect(Number(row[col('p_alive')])).toBeCloseTo(pAlive, 10);
    expect(Number(row[col('clv')])).toBeCloseTo(top.clv, 8);
    let sumClv = 0;
    let sumAlive = 0;
    for (const r0 of rows) {
      sumClv += Number(r0[col('clv')]);
      sumAlive += Number(r0[col('p_alive')]);
    }
    expect(sumClv).toBeCloseTo(m.clv_total as number, 4);
    expect(sumAlive).toBeCloseTo(m.clv_expected_alive as number, 6);
  });

  it('refuses with too few repeat customers: a reason, and no numbers', () => {
    expect(refused.code, refused.stderr).toBe(0);
    const out = JSON.parse(refused.stdout) as Output;
    expect(out.metrics.bgnbd_r).toBeNull();
    expect(out.metrics.clv_total).toBeNull();
    expect(out.tables.clv.refusals?.map((r) => [r.model, r.reason, r.have])).toEqual([
      ['bgnbd', 'too-few-repeat-customers', 0],
      ['gamma-gamma', 'too-few-repeat-customers', 0],
    ]);
    expect(out.tables.clv.top_customers).toEqual([]);
  });
});
