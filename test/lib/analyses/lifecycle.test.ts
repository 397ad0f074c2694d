/**
 * Lifecycle stages, migration and stage history (METRICS.md §8) on customers A–K
 * (lifecycle-fixture.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { derive } from '../../../src/lib/analyses/index.ts';
import { buildSegmentTables } from '../../../src/lib/analyses/segments.ts';
import { lifecycleMetrics, runLifecycle, type LifecycleResult } from '../../../src/lib/analyses/lifecycle.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { loadLines } from './fixture.ts';
import { LIFECYCLE_LINES, LIFECYCLE_PARAMS as P } from './lifecycle-fixture.ts';

let db: NodeDb;
let r: LifecycleResult;
beforeAll(async () => {
  db = await NodeDb.open();
  await loadLines(db, LIFECYCLE_LINES);
  await derive(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
  await buildSegmentTables(db, P);
  r = await runLifecycle(db, P);
});
afterAll(async () => {
  await db.close();
});

describe('stages at as_of', () => {
  it('takes the first rule that holds, with both boundaries exclusive', async () => {
    const stages = Object.fromEntries(
      (await db.query('SELECT customer_id, stage FROM customer_segments ORDER BY 1')).map((x) => [x.customer_id, x.stage]),
    );
    expect(stages).toEqual({
      A: 'formation', // recency 20 = k·g: not overdue
      B: 'decline', // 21 > 20
      C: 'exploration', // recency 180 = W: not lost
      D: 'lost', // 181 > W
      E: 'stability', // g = median(4, 5, 10) = 5, recency 10 = k·g
      F: 'exploration',
      G: 'formation',
      H: 'formation',
      I: 'formation',
      J: 'formation',
      K: 'formation',
    });
  });

  it('counts them with their revenue over (as_of − 365, as_of]', () => {
    // 2023-07-01 < date ≤ 2024-06-30, returns included: formation = A 60 + G 90 + H 110 + I 820 + J 819.99 + K 113.
    expect(r.stages.map((s) => [s.stage, s.customers])).toEqual([
      ['lost', 1], ['exploration', 2], ['decline', 1], ['stability', 1], ['formation', 6],
    ]);
    expect(r.stages.map((s) => s.revenue_365)).toEqual([15, 85, 80, 40, 2012.99]);
    expect(r.stages[4]?.customer_share).toBeCloseTo(6 / 11, 12);
  });

  it('uses the interpolated median gap as the rhythm', async () => {
    expect(await db.query("SELECT customer_id, p, g FROM customer_segments WHERE customer_id IN ('E', 'I', 'K') ORDER BY 1")).toEqual([
      { customer_id: 'E', p: 4, g: 5 },
      { customer_id: 'I', p: 3, g: 258.5 }, // gaps 304 and 213
      { customer_id: 'K', p: 2, g: 152 }, // the return on 2023-11-30 is not a purchase day
    ]);
  });
});

describe('migration from as_of − P = 2024-04-01', () => {
  it('starts customers without a purchase by then from "not yet a customer"', () => {
    const n = (from: string, to: string) => r.migration.find((c) => c.from === from && c.to === to)?.customers;
    expect(r.migration).toHaveLength(30);
    // On 04-01: A, B, E, F had not bought; C (recency 90), D (91), H (82), K (122) were exploring;
    // G was lost (213); I and J were forming (p 2, g 304, recency 152).
    expect([n('none', 'formation'), n('none', 'decline'), n('none', 'stability'), n('none', 'exploration')]).toEqual([1, 1, 1, 1]);
    expect([n('exploration', 'exploration'), n('exploration', 'lost'), n('exploration', 'formation')]).toEqual([1, 1, 2]);
    expect([n('lost', 'formation'), n('formation', 'formation')]).toEqual([1, 2]);
    expect(r.migration.reduce((s, c) => s + c.customers, 0)).toBe(11);
    const none = r.migration.find((c) => c.from === 'none' && c.to === 'formation');
    expect([none?.from_share, none?.share]).toEqual([0.25, 1 / 11]);
    expect(r.migration.find((c) => c.from === 'decline' && c.to === 'lost')?.from_share).toBeNull();
  });

  it('counts returning and new customers of the period', () => {
    expect(r.summary).toEqual({ from_date: '2024-04-01', returning_customers: 1, new_customers_period: 4 });
    expect(lifecycleMetrics(r)).toEqual({
      stage_lost: 1, stage_exploration: 2, stage_decline: 1, stage_stability: 1, stage_formation: 6,
      returning_customers: 1, new_customers_period: 4,
    });
  });
});

describe('stage history', () => {
  it('has every month end from the first purchase month to as_of', () => {
    expect(r.history).toHaveLength(18); // 2023-01-31 … 2024-05-31, then as_of 2024-06-30
    expect(r.history[0]).toEqual({ date: '2023-01-31', lost: 0, exploration: 2, decline: 0, stability: 0, formation: 0 });
    expect(r.history.at(-1)).toEqual({ date: '2024-06-30', lost: 1, exploration: 2, decline: 1, stability: 1, formation: 6 });
  });

  it('uses only orders on or before each day', () => {
    // 2024-03-31: C (89), D (90), H (81), K (121) exploring; G lost (212); I, J forming.
    expect(r.history.find((h) => h.date === '2024-03-31')).toEqual({ date: '2024-03-31', lost: 1, exploration: 4, decline: 0, stability: 0, formation: 2 });
    // 2023-06-30: I and J, p 1, recency 180 = W → exploring; 2023-07-31: 211 → lost.
    expect(r.history.find((h) => h.date === '2023-06-30')).toMatchObject({ lost: 0, exploration: 2 });
    expect(r.history.find((h) => h.date === '2023-07-31')).toMatchObject({ lost: 2, exploration: 0 });
  });
});

it('ends the history at as_of when it is not a month end', async () => {
  const p = { ...P, asOf: '2024-06-15' };
  await buildSegmentTables(db, p);
  const h = await runLifecycle(db, p);
  expect(h.history.at(-1)?.date).toBe('2024-06-15');
  expect(h.history.at(-2)?.date).toBe('2024-05-31');
  await buildSegmentTables(db, P);
});

it('reads the rhythm of a state in the middle of a month (as_of − P mid-month)', async () => {
  // P = 75 → as_of − P = 2024-04-16. M bought 04-01, 04-02, 04-03, 04-05, 04-25: on 04-16 its state is
  // the 04-05 day (p 4, gaps 1, 1, 2 → g 1, recency 11 > 2) → decline; not the last purchase day of April.
  // At as_of: p 5, g = median(1, 1, 2, 20) = 1.5, recency 66 > 3 → decline.
  const p = { ...P, periodDays: 75 };
  await loadLines(db, ['2024-04-01', '2024-04-02', '2024-04-03', '2024-04-05', '2024-04-25'].map((d, i) => ['M', d, `m${i}`, 10, 'x', 'N', null, null]));
  await derive(db, DEFAULT_SETTINGS, { category: true, region: true, channel: false, order: true });
  await buildSegmentTables(db, p);
  const m = await runLifecycle(db, p);
  expect(m.migration.filter((c) => c.customers > 0).map((c) => [c.from, c.to, c.customers])).toEqual([['decline', 'decline', 1]]);
});
