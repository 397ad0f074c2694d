import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, useApp, type AppSession } from './harness.ts';

/**
 * What a load of public/demo/sales.csv must report, counted here with a plain split
 * rather than taken from the generator: every line after the header is read; blank lines
 * are skipped; lines without a customer id (2nd column) are rejected; the rest is kept.
 */
function expectedDemoCounts(): Record<'rows_read' | 'rows_kept' | 'rows_rejected' | 'rows_skipped', number> {
  const text = readFileSync(join(ROOT, 'public', 'demo', 'sales.csv'), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const data = lines.slice(1);
  const skipped = data.filter((l) => l.replaceAll(',', '').trim() === '').length;
  const rejected = data.filter((l) => l.replaceAll(',', '').trim() !== '' && (l.split(',')[1] ?? '').trim() === '').length;
  return {
    rows_read: data.length,
    rows_kept: data.length - skipped - rejected,
    rows_rejected: rejected,
    rows_skipped: skipped,
  };
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
  const expected = expectedDemoCounts();

  it('counts what the demo file holds (sanity of the independent count)', () => {
    expect(expected.rows_read).toBeGreaterThan(25_000);
    expect(expected.rows_rejected).toBe(2);
    expect(expected.rows_skipped).toBe(1);
  });

  it('loads with ?demo and accounts for every row', async () => {
    const session = app();
    await session.openApp('demo');
    await session.waitForReport();
    const got = await reportCounts(session);
    expect(got).toEqual(expected);
    expect(got.rows_read).toBe((got.rows_kept ?? 0) + (got.rows_rejected ?? 0) + (got.rows_skipped ?? 0));
    expect(session.pageErrors).toEqual([]);
  });

  it('loads from the demo button with the same counts', async () => {
    const session = app();
    const page = await session.openApp();
    await page.locator('[data-testid=demo-button]').click();
    await session.waitForReport();
    expect(await reportCounts(session)).toEqual(expected);
    expect(session.pageErrors).toEqual([]);
  });
});
