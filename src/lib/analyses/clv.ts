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
  run: async (db, settings, ctx) => {
    await ctx.ensure?.('purchase_days');
    return (await import('./clv-tables.ts')).runClv(db, settings, ctx.asOf, undefined, ctx.progress);
  },
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
    for (const id of r.perCustomer?.ids ?? []) {
      const c = customerLifetime(r, id);
      if (c) out.set(id, [c.p_alive, c.expected_purchases, c.expected_spend, c.clv]);
    }
    return { columns: CLV_CUSTOMER_COLUMNS, values: out };
  },
};

/** One customer's predictions (METRICS.md §12), each null where its model was refused. */
export interface CustomerLifetime {
  readonly p_alive: number | null;
  readonly expected_purchases: number | null;
  readonly expected_spend: number | null;
  readonly clv: number | null;
}

const indexCache = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

/**
 * The customer's row of the fitted model, or null when BG/NBD was refused or the customer
 * was not modelled (no purchase on or before the calibration end). The id → row index is
 * built once per fit, so a list can look up every row it shows.
 */
export function customerLifetime(r: ClvPanelResult | undefined, customerId: string): CustomerLifetime | null {
  const per = r?.perCustomer;
  if (!per) return null;
  let index = indexCache.get(per.ids);
  if (index === undefined) {
    index = new Map(per.ids.map((id, i) => [id, i]));
    indexCache.set(per.ids, index);
  }
  const i = index.get(customerId);
  if (i === undefined) return null;
  const v = per.values;
  const num = (a: Float64Array): number | null => (Number.isFinite(a[i]) ? (a[i] as number) : null);
  return { p_alive: num(v.pAlive), expected_purchases: num(v.expectedPurchases), expected_spend: num(v.expectedSpend), clv: num(v.clv) };
}
