/**
 * A file mixing currencies in the production build: the dashboard analyses one currency at
 * a time, offers the others in the filters and lists every currency's totals.
 *
 * 12_currency_strings.csv (hostile corpus): 12 kept lines.
 *   CNY  M01 ¥1,234.50  M02 ￥88.00  M07 RMB 99.00  M08 12.5元            → 4 lines, 1434.00, 4 customers
 *   USD  M03 $1,234.50  M11 USD 5                                        → 2 lines, 1239.50, 2 customers
 *   none M04 (12.00)  M05 -50.00  M06 −30.00  M09 1,000  M10 7.25  M12 0 → 6 lines,  915.25,
 *        customers M09 M10 M12 (M04–M06 only return: not customers)
 * Summing them as one (3588.75) is what the page must never show as revenue.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, useApp, type AppSession } from './harness.ts';

const MIXED = join(FIXTURES, '12_currency_strings.csv');
const OVERVIEW = '[data-testid=panel-overview]';

async function loadAndContinue(session: AppSession, file: string): Promise<void> {
  await session.dropFile(file);
  await session.waitForReport();
  await session.page.locator('[data-testid=continue]').click();
  await session.page.locator('[data-testid=dashboard]').waitFor({ state: 'visible' });
  await session.waitIdle();
}

async function revenueBecomes(session: AppSession, value: number): Promise<void> {
  await expect.poll(() => session.readMetric('revenue', OVERVIEW), { timeout: 30_000 }).toBe(value);
}

/** [currency, lines, customers, revenue] of the per-currency table. */
async function currencyTable(session: AppSession): Promise<(string | number)[][]> {
  const table = session.page.locator('[data-testid=currency-totals]');
  await table.waitFor({ state: 'visible', timeout: 30_000 });
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => [
      r.getAttribute('data-currency') ?? '',
      ...[...r.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value'))),
    ]),
  );
}

describe('a file mixing currencies', () => {
  const app = useApp({ locale: 'en-US' });

  it('shows CNY (most lines) by default; switching to USD changes every money number; the link keeps it', async () => {
    const session = app();
    const page = await session.openApp('?v=1&lang=en');
    await loadAndContinue(session, MIXED);

    const select = page.locator('[data-testid=filter-currency]');
    await expect.poll(() => select.inputValue()).toBe('CNY');
    await revenueBecomes(session, 1434);
    expect(await session.readMetric('customers', OVERVIEW)).toBe(4);
    expect(await page.locator('[data-testid=mixed-currencies]').innerText()).toContain('for CNY only (4 lines); 8 lines in other currencies are left out');
    expect(await currencyTable(session)).toEqual([
      ['CNY', 4, 4, 1434],
      ['USD', 2, 2, 1239.5],
      ['none', 6, 3, 915.25],
    ]);
    expect(await select.locator('option').allTextContents()).toEqual(['CNY (4 lines)', 'USD (2 lines)', 'No currency marker (6 lines)']);

    await select.selectOption('USD');
    await revenueBecomes(session, 1239.5);
    expect(await session.readMetric('customers', OVERVIEW)).toBe(2);
    expect(await session.readMetric('aov', OVERVIEW)).toBe(619.75);
    expect(await page.locator('[data-testid=mixed-currencies]').innerText()).toContain('for USD only (2 lines); 10 lines in other currencies are left out');
    await expect.poll(() => new URL(page.url()).searchParams.get('cur')).toBe('USD');

    // The table's own button switches too.
    await page.locator('[data-testid=currency-totals] tr[data-currency=none] button').click();
    await revenueBecomes(session, 915.25);
    expect(await select.inputValue()).toBe('none');
    expect(session.pageErrors).toEqual([]);
  });

  it('a shared link with cur=none opens on the lines without a currency marker', async () => {
    const session = app();
    const page = await session.openApp('?v=1&lang=en&cur=none');
    await loadAndContinue(session, MIXED);
    await revenueBecomes(session, 915.25);
    expect(await session.readMetric('customers', OVERVIEW)).toBe(3);
    expect(await page.locator('[data-testid=filter-currency]').inputValue()).toBe('none');
  });

  it('a file naming one currency or none has no selector and no table', async () => {
    const session = app();
    const page = await session.openApp('?v=1&lang=en&cur=USD');
    await loadAndContinue(session, join(FIXTURES, '01_gb18030_chinese_headers.csv'));
    await session.waitForPanels(['overview']);
    expect(await page.locator('[data-testid=filter-currency]').count()).toBe(0);
    expect(await page.locator('[data-testid=currency-totals]').count()).toBe(0);
    expect(await page.locator('[data-testid=mixed-currencies]').count()).toBe(0);
  });
});
