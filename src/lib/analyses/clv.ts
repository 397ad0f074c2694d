/**
 * The lifetime-value panel (METRICS.md §12): the calibration summary in SQL, the BG/NBD and
 * Gamma-Gamma fit in a Web Worker in the page or in-process in Node, then aggregate tables
 * of the predictions (clv-tables.ts, loaded when the panel first runs). A refused model is a
 * result: its refusal is shown, and no number that depends on it.
 */
import type { Metrics } from '../model/metrics.ts';
import type { ClvPanelResult } from './clv-tables.ts';
import type { PanelDescriptor, PanelTable } from './panel.ts';

export type * from './clv-tables.ts';

export const CLV_CUSTOMER_COLUMNS = ['p_alive', 'expected_purchases', 'expected_spend', 'clv'] as const;

export const clvPanel: PanelDescriptor<'clv', ClvPanelResult> = {
  id: 'clv',
  weight: 800,
  kpis: ['clv_customers', 'clv_expected_alive', 'clv_expected_purchases', 'clv_total', 'clv_holdout_actual', 'clv_holdout_expected'],
  run: async (db, settings, ctx) => (await import('./clv-tables.ts')).runClv(db, settings, ctx.asOf, undefined, ctx.progress),
  metrics: (r): Partial<Metrics> => ({ ...r.metrics }),
  tables: (r): PanelTable[] => [
    { name: 'totals', title: 'dash.clv.totals', rows: r.totals },
    { name: 'parameters', title: 'dash.clv.parameters', rows: r.parameters },
    { name: 'refusals', title: 'dash.clv.refusals', rows: r.refusals },
    { name: 'p_alive', title: 'dash.clv.pAliveTitle', rows: r.pAlive },
    { name: 'clv_distribution', title: 'dash.clv.distributionTitle', rows: r.clvBins },
    { name: 'recency_frequency', title: 'dash.clv.gridTitle', rows: r.grid, inReport: false },
    { name: 'top_customers', title: 'dash.clv.topTitle', rows: r.top },
    { name: 'holdout_by_x', title: 'dash.clv.holdoutXTitle', rows: r.holdoutByX },
    { name: 'holdout_cumulative', title: 'dash.clv.cumulativeTitle', rows: r.cumulative, inReport: false },
  ],
  customerColumns: (r) => {
    const out = new Map<string, readonly (number | null)[]>();
    if (r.perCustomer === null) return { columns: CLV_CUSTOMER_COLUMNS, values: out };
    const { ids, values: v } = r.perCustomer;
    const num = (a: Float64Array, i: number): number | null => (Number.isFinite(a[i]) ? (a[i] as number) : null);
    ids.forEach((id, i) => out.set(id, [num(v.pAlive, i), num(v.expectedPurchases, i), num(v.expectedSpend, i), num(v.clv, i)]));
    return { columns: CLV_CUSTOMER_COLUMNS, values: out };
  },
};
