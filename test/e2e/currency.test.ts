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
import { readFileSync } from 'node:fs';
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

describe('the currency of amounts a file does not name', () => {
  const app = useApp({ locale: 'en-US' });
  const KPI = `${OVERVIEW} .kpi[data-metric=revenue]`;
  const money2 = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  it('the demo names none; picking CNY names every amount, the link keeps it, and exports confirm and name it', async () => {
    const session = app();
    const page = await session.openApp('?v=1&lang=en&demo');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').first().click();
    await session.waitForPanels(['overview']);
    const revenue = await session.readMetric('revenue', OVERVIEW);
    expect(revenue).toBeGreaterThan(1_000_000);
    const exact = money2(revenue ?? NaN);

    // No currency named: plain numbers, abbreviated like the axes, the exact value in the title and the table.
    const setting = page.locator('[data-testid=setting-currency-label]');
    expect(await setting.inputValue()).toBe('auto');
    const abbr = page.locator(`${KPI} abbr`);
    expect(await abbr.innerText()).toMatch(/^\d+(\.\d{1,2})?M$/);
    expect(await abbr.getAttribute('title')).toBe(exact);
    expect(await page.locator(`${OVERVIEW} td[data-metric=revenue]`).innerText()).toBe(exact);
    // A count is abbreviated from 1,000 on, its data-value exact.
    const customers = await session.readMetric('customers', OVERVIEW);
    expect(Number.isInteger(customers)).toBe(true);
    const customersKpi = page.locator(`${OVERVIEW} .kpi[data-metric=customers] .value`);
    if ((customers ?? 0) >= 1000) expect(await customersKpi.locator('abbr').getAttribute('title')).toBe((customers ?? 0).toLocaleString('en-US'));
    else expect(await customersKpi.innerText()).toBe(String(customers));

    await setting.selectOption('CNY');
    await expect.poll(() => abbr.getAttribute('title')).toBe(`CN¥${exact}`);
    expect(await abbr.innerText()).toMatch(/^CN¥\d+(\.\d{1,2})?M$/);
    expect(await session.readMetric('revenue', OVERVIEW)).toBe(revenue);
    expect(await page.locator(`${OVERVIEW} td[data-metric=revenue]`).innerText()).toBe(`CN¥${exact}`);
    await expect.poll(() => new URL(page.url()).searchParams.get('ccy')).toBe('CNY');
    await expect.poll(() => page.locator('[data-testid=chart-revenue-trend] svg').first().textContent()).toContain('(CNY)');

    // A chart's CSV: the money column names the currency; the page confirms the export, then lets it go.
    const card = page.locator('[data-testid=chart-revenue-trend]');
    await card.locator('details.export summary').click();
    const [file] = await Promise.all([page.waitForEvent('download'), card.locator('details.export button', { hasText: 'CSV' }).click()]);
    const csv = readFileSync((await file.path()) ?? '', 'utf8');
    const header = csv.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
    expect(header.split(',')).toContain('Net revenue (CNY)');
    const rows = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l !== '').length - 1;
    const done = page.locator('[data-testid=export-done]');
    expect(await done.getAttribute('role')).toBe('status');
    await expect.poll(() => done.innerText()).toBe(`Exported ${file.suggestedFilename()} (${rows} rows)`);
    await expect.poll(() => done.innerText(), { timeout: 15_000 }).toBe('');

    // A link opened with ccy=CNY shows it again; the report confirms too.
    const link = new URL(page.url()).search;
    const again = await session.openApp(/(^|[?&])demo(&|$)/.test(link) ? link : `${link}&demo`);
    await session.waitForReport();
    await again.locator('[data-testid=continue]').first().click();
    await session.waitForPanels(['overview']);
    expect(await again.locator('[data-testid=setting-currency-label]').inputValue()).toBe('CNY');
    await expect.poll(() => again.locator(`${KPI} abbr`).getAttribute('title')).toBe(`CN¥${exact}`);
    const [report] = await Promise.all([again.waitForEvent('download', { timeout: 120_000 }), again.locator('[data-testid=report-download]').click()]);
    await expect.poll(() => again.locator('[data-testid=export-done]').innerText()).toBe(`Exported ${report.suggestedFilename()}`);
    const html = readFileSync((await report.path()) ?? '', 'utf8');
    expect(html).toContain(`CN¥${exact}`);
    expect(session.pageErrors).toEqual([]);
  }, 240_000);
});
