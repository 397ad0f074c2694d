import { describe, expect, it } from 'vitest';
import { PHASE_WEIGHTS, type DashboardResult, type DatasetFacts, type PartialRun, type RunOptions } from '../../../src/lib/analyses/index.ts';
import type { DbClient } from '../../../src/lib/db/client.ts';
import type { Mapped } from '../../../src/lib/model/derive.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { RunState } from '../../../src/lib/state/run.svelte.ts';

const DB = {} as DbClient;
const MAPPED: Mapped = { category: true, region: false, channel: false, order: true };
const RESULT = { millis: 1 } as DashboardResult;
const facts = (code: string): DatasetFacts => ({ choices: { category: { values: [{ value: 'x', lines: 2 }], more: 0 } }, currencies: [{ currency: code, lines: 2 }] });

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RunState', () => {
  it('reads the dataset facts once, not on every settings change', async () => {
    let reads = 0;
    const run = new RunState(async () => RESULT, async () => facts(`C${++reads}`));
    await run.run(DB, DEFAULT_SETTINGS, MAPPED);
    await run.run(DB, { ...DEFAULT_SETTINGS, churnWindowDays: 30 }, { ...MAPPED });
    expect(reads).toBe(1);
    expect(run.facts?.currencies).toEqual([{ currency: 'C1', lines: 2 }]);
    expect(run.result).toBe(RESULT);
    // another dataset: the page clears the run while it loads
    run.clear();
    expect(run.facts).toBeNull();
    await run.run(DB, DEFAULT_SETTINGS, MAPPED);
    expect(reads).toBe(2);
    expect(run.facts?.currencies[0]?.currency).toBe('C2');
    // a different mapping is a different dataset too
    await run.run(DB, DEFAULT_SETTINGS, { ...MAPPED, region: true });
    expect(reads).toBe(3);
  });

  it('runs without facts when they cannot be read, and tries again on the next run', async () => {
    let reads = 0;
    const run = new RunState(async () => RESULT, async () => {
      reads++;
      if (reads === 1) throw new Error('no lines');
      return facts('EUR');
    });
    await run.run(DB, DEFAULT_SETTINGS, MAPPED);
    expect([run.result, run.error, run.facts]).toEqual([RESULT, null, null]);
    await run.run(DB, DEFAULT_SETTINGS, MAPPED);
    expect(run.facts?.currencies[0]?.currency).toBe('EUR');
  });

  it('says what a run is doing: the facts, then each phase with the share done (the phases ended so far, in the order they came); nothing once it ends', async () => {
    const seen: unknown[] = [];
    const gate = deferred<void>();
    const run: RunState = new RunState(
      async (_db, _s, _m, onPhase) => {
        seen.push(run.progress);
        onPhase?.('canonical');
        seen.push(run.progress);
        onPhase?.('pareto');
        seen.push(run.progress);
        // A long panel's own progress: half-way through the lifetime-value step.
        onPhase?.('clv', 0.5);
        seen.push(run.progress);
        onPhase?.('overview');
        await gate.promise;
        return RESULT;
      },
      async () => {
        seen.push(run.progress);
        return facts('CNY');
      },
    );
    const going = run.run(DB, DEFAULT_SETTINGS, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    expect(run.loading).toBe(true);
    expect(run.progress).toEqual({ step: 'overview', done: expect.closeTo(PHASE_WEIGHTS.canonical + PHASE_WEIGHTS.pareto + PHASE_WEIGHTS.clv, 10) });
    gate.resolve();
    await going;
    expect(seen).toEqual([
      { step: 'facts', done: 0 },
      { step: 'facts', done: 0 },
      { step: 'canonical', done: 0 },
      { step: 'pareto', done: expect.closeTo(PHASE_WEIGHTS.canonical, 10) },
      { step: 'clv', done: expect.closeTo(PHASE_WEIGHTS.canonical + PHASE_WEIGHTS.pareto + 0.5 * PHASE_WEIGHTS.clv, 10) },
    ]);
    expect(run.progress).toBeNull();
    expect(run.loading).toBe(false);
  });

  it('runs the panel on screen first and shows the panels a run has finished until it ends; a superseded run shows none', async () => {
    const gate = deferred<void>();
    const second = deferred<void>();
    const asked: (RunOptions | undefined)[] = [];
    const CLV = { tag: 'clv' } as unknown as DashboardResult['clv'];
    const OVERVIEW = { tag: 'overview' } as unknown as DashboardResult['overview'];
    const partOf = (panels: PartialRun['panels']): PartialRun => ({ asOf: '2024-06-30', mapped: MAPPED, linesAfterAsOf: 0, panels, pending: [] });
    let calls = 0;
    const run: RunState = new RunState(async (_db, _s, _m, onPhase, options) => {
      asked.push(options);
      calls++;
      if (calls === 1) {
        onPhase?.('canonical');
        onPhase?.('clv');
        options?.onPanel?.(partOf({ clv: CLV }));
        await gate.promise;
        return RESULT;
      }
      // superseded while running: what it tells is dropped
      options?.onPanel?.(partOf({ overview: OVERVIEW }));
      await second.promise;
      return RESULT;
    }, null);
    const going = run.run(DB, DEFAULT_SETTINGS, MAPPED, 'clv');
    await new Promise((r) => setTimeout(r, 0));
    expect(asked[0]?.first).toBe('clv');
    // the panel on screen, as it changes while the run goes
    expect(asked[0]?.wanted?.()).toBeUndefined();
    run.want('segments');
    expect(asked[0]?.wanted?.()).toBe('segments');
    // the progress follows the run's order: lifetime value right after the canonical tables
    expect(run.progress).toEqual({ step: 'clv', done: expect.closeTo(PHASE_WEIGHTS.canonical, 10) });
    expect(run.fresh?.panels).toEqual({ clv: CLV });
    gate.resolve();
    await going;
    expect(run.fresh).toBeNull();
    expect(run.result).toBe(RESULT);
    const next = run.run(DB, DEFAULT_SETTINGS, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    expect(asked[1]?.first).toBeUndefined();
    expect(run.fresh?.panels).toEqual({ overview: OVERVIEW });
    run.clear();
    expect(run.fresh).toBeNull();
    second.resolve();
    await next;
    expect(run.fresh).toBeNull();
  });

  it('a superseded run no longer moves the progress', async () => {
    const gate = deferred<void>();
    let tell: ((p: 'retention') => void) | undefined;
    const run = new RunState(async (_db, _s, _m, onPhase) => {
      if (!tell) {
        tell = onPhase;
        await gate.promise;
      }
      return RESULT;
    }, null);
    const first = run.run(DB, DEFAULT_SETTINGS, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    const second = run.run(DB, { ...DEFAULT_SETTINGS, churnWindowDays: 30 }, MAPPED);
    // The second waits for the first to stop; the first, superseded, moves nothing.
    tell?.('retention');
    expect(run.progress).toEqual({ step: 'facts', done: 0 });
    gate.resolve();
    await Promise.all([first, second]);
    expect(run.progress).toBeNull();
    expect(run.result).toBe(RESULT);
  });

  it('never runs two at once: a newer run stops the one going at its next statement, then starts', async () => {
    const gate = deferred<void>();
    const log: string[] = [];
    const db: DbClient = {
      exec: async (q) => void log.push(`exec ${typeof q === 'string' ? q : q.text}`),
      query: async () => [],
      registerBuffer: async () => '',
      dropBuffer: async () => undefined,
      insertArrowIPC: async () => undefined,
      close: async () => undefined,
    };
    const run = new RunState(async (engine, settings, _m, _p, options) => {
      const name = String(settings.churnWindowDays);
      log.push(`start ${name}`);
      await engine.exec(`${name}: one`);
      if (name === '90') await gate.promise;
      try {
        // Stands for the next statement of a real run (runDashboard reads `signal` through `abortable`).
        options?.signal?.throwIfAborted();
        await engine.exec(`${name}: two`);
      } finally {
        log.push(`end ${name}`);
      }
      return { ...RESULT, millis: Number(name) };
    }, null);
    const first = run.run(db, { ...DEFAULT_SETTINGS, churnWindowDays: 90 }, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    const second = run.run(db, { ...DEFAULT_SETTINGS, churnWindowDays: 30 }, MAPPED);
    const third = run.run(db, { ...DEFAULT_SETTINGS, churnWindowDays: 60 }, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['start 90', 'exec 90: one']);
    gate.resolve();
    await Promise.all([first, second, third]);
    // The first stopped before its second statement; the second never started (the third replaced it while it waited).
    expect(log).toEqual(['start 90', 'exec 90: one', 'end 90', 'start 60', 'exec 60: one', 'exec 60: two', 'end 60']);
    expect([run.result?.millis, run.error, run.loading]).toEqual([60, null, false]);
  });

  it('drops facts that arrive after the dataset was cleared', async () => {
    const slow = deferred<DatasetFacts>();
    const run = new RunState(async () => RESULT, () => slow.promise);
    const first = run.run(DB, DEFAULT_SETTINGS, MAPPED);
    run.clear();
    slow.resolve(facts('USD'));
    await first;
    expect(run.facts).toBeNull();
    expect(run.result).toBeNull(); // the superseded run's result is dropped as well
  });

  it("reads every currency group's totals after a run, only when the amounts name several", async () => {
    const totals = [{ currency: 'CNY', all_lines: 3, lines: 3, customers: 2, revenue: 350.5, shown: true }];
    let reads = 0;
    const two: DatasetFacts = { choices: {}, currencies: [{ currency: 'CNY', lines: 3 }, { currency: 'USD', lines: 2 }] };
    const run = new RunState(async () => RESULT, async () => two, async () => (reads++, totals));
    await run.run(DB, DEFAULT_SETTINGS, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    expect([reads, run.currencyTotals]).toEqual([1, totals]);
    run.clear();
    expect(run.currencyTotals).toEqual([]);
    const one = new RunState(async () => RESULT, async () => facts('CNY'), async () => (reads++, totals));
    await one.run(DB, DEFAULT_SETTINGS, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    expect([reads, one.currencyTotals]).toEqual([1, []]);
    const failing = new RunState(async () => RESULT, async () => two, async () => Promise.reject(new Error('gone')));
    await failing.run(DB, DEFAULT_SETTINGS, MAPPED);
    await new Promise((r) => setTimeout(r, 0));
    expect([failing.result, failing.error, failing.currencyTotals]).toEqual([RESULT, null, []]);
  });

  it('runs a deferred part once when asked, with progress, and drops it when a newer run started', async () => {
    const partial = { millis: 1, pending: ['lifecycle', 'composition'] } as unknown as DashboardResult;
    const told: boolean[] = [];
    const gate = deferred<void>();
    const calls: string[] = [];
    const run = new RunState(
      async (_db, _s, _m, _on, options) => (told.push(options?.defer === true), partial),
      null,
      async () => [],
      async (_db, _s, result, id, onProgress) => {
        calls.push(id);
        onProgress?.(0.5);
        await gate.promise;
        return { ...result, [id]: `${id} done`, pending: [] } as unknown as DashboardResult;
      },
      true,
    );
    await run.run(DB, DEFAULT_SETTINGS, MAPPED);
    expect(told).toEqual([true]);
    const first = run.complete('lifecycle');
    const again = run.complete('lifecycle');
    expect(run.completing).toEqual({ panel: 'lifecycle', done: 0.5 });
    gate.resolve();
    await Promise.all([first, again]);
    expect(calls).toEqual(['lifecycle']);
    // Only that panel's part is taken; the other stays pending.
    expect([(run.result as unknown as Record<string, unknown>).lifecycle, run.result?.pending, run.completing]).toEqual(['lifecycle done', ['composition'], null]);
    expect(Object.keys(run.deferredMillis)).toEqual(['lifecycle']);
    await run.complete('overview');
    expect(calls).toEqual(['lifecycle']);

    // A newer run started while a part was running: its late result is dropped.
    const slow = deferred<void>();
    const stale = new RunState(
      async () => partial,
      null,
      async () => [],
      async (_db, _s, result, id) => {
        await slow.promise;
        return { ...result, [id]: 'stale', pending: [] } as unknown as DashboardResult;
      },
      true,
    );
    await stale.run(DB, DEFAULT_SETTINGS, MAPPED);
    const late = stale.complete('composition');
    await stale.run(DB, { ...DEFAULT_SETTINGS, churnWindowDays: 30 }, MAPPED);
    slow.resolve();
    await late;
    expect(stale.result).toBe(partial);
  });
});
