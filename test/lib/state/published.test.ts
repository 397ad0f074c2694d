/**
 * An aggregates-only publication carries no row per customer: the warning lists' pages and
 * the key-customer scatter name customers, so they go; their totals stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResult } from '../../../src/lib/analyses/index.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { aggregatesOnly } from '../../../src/lib/state/published.ts';
import { FIXTURE_LINES } from '../analyses/fixture.ts';
import { fixtureResults } from '../charts/fixture-results.ts';

let db: NodeDb;
let result: DashboardResult;
beforeAll(async () => {
  db = await NodeDb.open();
  result = (await fixtureResults(db)).withProfit;
});
afterAll(async () => db.close());

describe('aggregatesOnly', () => {
  it('drops the customers of the warning lists and the scatter, keeping the totals', () => {
    const ids = [...new Set(FIXTURE_LINES.map((l) => l[0]))];
    const named = (v: unknown) => ids.filter((id) => JSON.stringify(v).includes(`"${id}"`));
    // The fixture does put customers there, so the test can fail.
    expect(named([result.warnings, result.key_customers]).length).toBeGreaterThan(0);
    const out = aggregatesOnly(result);
    expect(named([out.warnings, out.key_customers])).toEqual([]);
    expect(out.warnings.summary).toEqual(result.warnings.summary);
    expect([out.warnings.churn.total, out.warnings.pace.total]).toEqual([result.warnings.churn.total, result.warnings.pace.total]);
    expect(out.key_customers.classes).toEqual(result.key_customers.classes);
  });
});
