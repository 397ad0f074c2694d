/**
 * Which bin of the lifetime-value panel's histograms a customer falls in (METRICS.md §12):
 * one rule for the counts (clv-tables.ts `pAliveBins`, `clvBins`) and for the ids of a bin's
 * customer list (drill.ts), which come from the model fit, not from SQL.
 */
import type { ClvCustomerArrays } from '../clv/clv.ts';

export const P_ALIVE_BINS = 10;
export const CLV_BINS = 20;

/** P(alive) tenth 0 … 9 ([b/10, (b+1)/10), the last including 1). */
export function pAliveBinOf(pAlive: number): number {
  return Math.min(P_ALIVE_BINS - 1, Math.max(0, Math.floor(pAlive * P_ALIVE_BINS)));
}

/** CLV bin 0 … CLV_BINS − 1 of width `step` (the last one open); null for a CLV that is not a number. */
export function clvBinOf(clv: number, step: number): number | null {
  if (!Number.isFinite(clv)) return null;
  return Math.min(CLV_BINS - 1, Math.max(0, Math.floor(clv / step)));
}

/** What a bin's list needs of a fit: its customers' predictions and the CLV bins' width (the first bin's `to`). */
export interface ClvBinSource {
  readonly perCustomer: { readonly ids: readonly string[]; readonly values: Pick<ClvCustomerArrays, 'pAlive' | 'clv'> } | null;
  readonly clvBins: readonly { readonly to: number | null }[];
}

/** The ids of the customers in P(alive) bin or CLV bin `bin`, in the fit's order (empty without a fit or a spend model). */
export function clvBinIds(source: ClvBinSource | null | undefined, measure: 'pAlive' | 'clv', bin: number): string[] {
  const per = source?.perCustomer;
  if (!per) return [];
  const out: string[] = [];
  if (measure === 'pAlive') {
    const p = per.values.pAlive;
    for (let i = 0; i < per.ids.length; i++) if (pAliveBinOf(p[i] as number) === bin) out.push(per.ids[i] as string);
    return out;
  }
  const step = source.clvBins[0]?.to;
  if (step === undefined || step === null) return [];
  const c = per.values.clv;
  for (let i = 0; i < per.ids.length; i++) if (clvBinOf(c[i] as number, step) === bin) out.push(per.ids[i] as string);
  return out;
}
