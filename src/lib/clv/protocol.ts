/** Messages between the page and the CLV worker. */
import type { ClvProgress, ClvResult, ClvSettings } from './fit.ts';
import type { ClvSummary } from './types.ts';

export interface ClvFitRequest {
  readonly type: 'fit';
  readonly summary: ClvSummary;
  readonly settings: ClvSettings;
}

export type ClvWorkerMessage =
  | { readonly type: 'progress'; readonly progress: ClvProgress }
  | { readonly type: 'result'; readonly result: ClvResult }
  | { readonly type: 'error'; readonly message: string };

function push(out: ArrayBuffer[], a: Float64Array | Uint32Array | null | undefined): void {
  if (a && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
}

/** The buffers of a summary, to transfer instead of copy. */
export function summaryTransfer(s: ClvSummary): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of [s.x, s.tx, s.T, s.zbar, s.holdoutX, s.holdoutWeekly]) push(out, a);
  return out;
}

/** The buffers of a result's per-customer arrays. */
export function resultTransfer(r: ClvResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (r.customers) for (const a of Object.values(r.customers) as Float64Array[]) push(out, a);
  return out;
}
