/**
 * The worker's message handling, run in Node with a stand-in for the worker scope: it
 * posts progress, then the same result `fitClvSync` gives, with the per-customer arrays
 * transferred.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fitClvSync, type ClvSettings } from '../../../src/lib/clv/fit.ts';
import { summaryTransfer, type ClvFitRequest, type ClvWorkerMessage } from '../../../src/lib/clv/protocol.ts';
import type { ClvSummary } from '../../../src/lib/clv/types.ts';
import { cdnowSummaryWithSpend, toArrays } from './cdnow.ts';

const posted: { message: ClvWorkerMessage; transfer: Transferable[] }[] = [];
const fakeScope: { onmessage: ((e: MessageEvent<ClvFitRequest>) => void) | null; postMessage: (m: ClvWorkerMessage, t: Transferable[]) => void } = {
  onmessage: null,
  postMessage: (message, transfer) => posted.push({ message, transfer }),
};
const saved = globalThis.self;
(globalThis as { self: unknown }).self = fakeScope;
afterAll(() => {
  (globalThis as { self: unknown }).self = saved;
});

const summary = (): ClvSummary => ({ ...toArrays(cdnowSummaryWithSpend()), holdoutX: null, holdoutWeekly: null });
const SETTINGS: ClvSettings = { unit: 'week', horizon: 52, monthlyDiscount: 0.01, holdoutDays: null };

describe('CLV worker', () => {
  it('posts progress and then the result of fitClvSync', async () => {
    await import('../../../src/lib/clv/worker.ts');
    expect(fakeScope.onmessage).toBeTypeOf('function');
    fakeScope.onmessage?.({ data: { type: 'fit', summary: summary(), settings: SETTINGS } } as MessageEvent<ClvFitRequest>);
    const last = posted[posted.length - 1];
    expect(posted.slice(0, -1).every((p) => p.message.type === 'progress')).toBe(true);
    expect(posted.length).toBeGreaterThan(2);
    if (last?.message.type !== 'result') throw new Error('no result posted');
    const want = fitClvSync(summary(), SETTINGS);
    expect(last.message.result.bgnbd).toEqual(want.bgnbd);
    expect(last.message.result.totals).toEqual(want.totals);
    expect(last.transfer).toHaveLength(4);
  });

  it('posts an error message instead of throwing', () => {
    posted.length = 0;
    fakeScope.onmessage?.({ data: { type: 'fit', summary: null, settings: SETTINGS } } as unknown as MessageEvent<ClvFitRequest>);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.message.type).toBe('error');
  });

  it('transfers each summary buffer once', () => {
    const s = summary();
    expect(summaryTransfer(s)).toHaveLength(4);
    expect(summaryTransfer({ ...s, holdoutX: new Float64Array(3), holdoutWeekly: new Float64Array(2) })).toHaveLength(6);
  });
});
