import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, useApp, type AppSession } from './harness.ts';

type Counts = Record<'rows_read' | 'rows_kept' | 'rows_rejected' | 'rows_skipped', number>;

/**
 * What a load of the demo must report, counted here with a plain split rather than taken
 * from the generator: every line after the header is read; blank lines are skipped; lines
 * without a customer id are rejected; the rest is kept.
 */
function expectedCounts(file: string, keyColumn: number): Counts {
  const text = readFileSync(join(ROOT, 'public', 'demo', file), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const data = lines.slice(1);
  const blank = (l: string): boolean => l.replaceAll(',', '').trim() === '';
  const skipped = data.filter(blank).length;
  const rejected = data.filter((l) => !blank(l) && (l.split(',')[keyColumn] ?? '').trim() === '').length;
  return {
    rows_read: data.length,
    rows_kept: data.length - skipped - rejected,
    rows_rejected: rejected,
    rows_skipped: skipped,
  };
}

const SALES = expectedCounts('sales.csv', 1);
const SURVEY = expectedCounts('survey.csv', 0);
const BOTH: Counts = {
  rows_read: SALES.rows_read + SURVEY.rows_read,
  rows_kept: SALES.rows_kept + SURVEY.rows_kept,
  rows_rejected: SALES.rows_rejected + SURVEY.rows_rejected,
  rows_skipped: SALES.rows_skipped + SURVEY.rows_skipped,
};

/** The report totals cover the sales file, or the sales and survey files when the demo loads both. */
function expectedFor(got: Record<string, number | null>): Counts {
  return got.rows_read === BOTH.rows_read ? BOTH : SALES;
}

async function reportCounts(session: AppSession): Promise<Record<string, number | null>> {
  const scope = '[data-testid=load-report]';
  return {
    rows_read: await session.readMetric('rows_read', scope),
    rows_kept: await session.readMetric('rows_kept', scope),
    rows_rejected: await session.readMetric('rows_rejected', scope),
    rows_skipped: await session.readMetric('rows_skipped', scope),
  };
}

describe('demo data', () => {
  const app = useApp();

  it('counts what the demo files hold (sanity of the independent count)', () => {
    expect(SALES.rows_read).toBeGreaterThan(25_000);
    expect(SALES.rows_rejected).toBe(2);
    expect(SALES.rows_skipped).toBe(1);
    expect(SURVEY.rows_read).toBe(SURVEY.rows_kept);
  });

  it('loads with ?demo and accounts for every row', async () => {
    const session = app();
    await session.openApp('demo');
    await session.waitForReport();
    const got = await reportCounts(session);
    expect(got).toEqual(expectedFor(got));
    expect(got.rows_read).toBe((got.rows_kept ?? 0) + (got.rows_rejected ?? 0) + (got.rows_skipped ?? 0));
    expect(session.pageErrors).toEqual([]);
  });

  it('loads from the demo button with the same counts', async () => {
    const session = app();
    const page = await session.openApp();
    await page.locator('[data-testid=demo-button]').click();
    await session.waitForReport();
    const got = await reportCounts(session);
    expect(got).toEqual(expectedFor(got));
    expect(session.pageErrors).toEqual([]);
  });
});
