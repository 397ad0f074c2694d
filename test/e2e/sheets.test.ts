import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SheetData } from 'write-excel-file/universal';
import { NOTES, salesSheet, workbookBytes, type SheetSpec } from '../lib/ingest/workbook-helper.ts';
import { useApp, type AppSession } from './harness.ts';
import { watchDialogs } from './hostile-helpers.ts';

const REPORT = '[data-testid=load-report]';
const SELECT = '[data-testid=sheet-select]';
const HOSTILE = '<img src=x onerror=alert(1)>';

const dir = mkdtempSync(join(tmpdir(), 'll-sheets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function workbookFile(name: string, sheets: readonly SheetSpec[], options: { chartSheet?: string } = {}): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await workbookBytes(sheets, options));
  return path;
}

/** The sheet names the selector offers, its selected value, and the sheet the preview says it read. */
async function picker(session: AppSession): Promise<{ options: string[]; value: string; facts: string }> {
  const select = session.page.locator(SELECT).first();
  return {
    options: await select.locator('option').allTextContents(),
    value: await select.inputValue(),
    facts: (await session.page.locator('article.file dl').first().innerText()).replace(/\s+/g, ' '),
  };
}

describe('workbook sheets', () => {
  const app = useApp();

  it('offers every sheet, starts on the data behind a notes sheet, and loads the sheet chosen', async () => {
    const path = await workbookFile('two-months.xlsx', [NOTES, salesSheet('销售明细', 5), salesSheet('二月', 8)]);
    const session = app();
    const page = await session.openApp();
    await session.dropFile(path);
    await page.locator(SELECT).waitFor({ state: 'visible' });

    // Labelled for assistive technology; the default passes over the notes and says so.
    await expect.poll(() => page.getByLabel('要读取的工作表').count()).toBe(1);
    const start = await picker(session);
    expect([start.options, start.value]).toEqual([['说明', '销售明细', '二月'], '销售明细']);
    expect(start.facts).toContain('工作表: 销售明细');
    const notice = await page.locator('[data-testid=sheet-switched]').innerText();
    expect(notice).toContain('说明');
    expect(notice).toContain('销售明细');

    // From the keyboard: focus the list and step to the next sheet.
    await page.locator(SELECT).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await picker(session)).facts).toContain('工作表: 二月');
    expect((await picker(session)).value).toBe('二月');
    expect(await page.locator('[data-testid=sheet-switched]').count()).toBe(0);

    const confirm = page.locator('[data-testid=confirm-mapping]');
    await expect.poll(() => confirm.isEnabled()).toBe(true);
    await confirm.click();
    await session.waitForReport();
    expect(await session.readMetric('rows_kept', REPORT)).toBe(8);
    expect(await session.readMetric('rows_read', REPORT)).toBe(8);
    expect(await page.locator(REPORT).innerText()).toContain('二月');
    expect(session.pageErrors).toEqual([]);
  });

  it('shows a sheet name that is markup as text, and no dialog opens', async () => {
    const path = await workbookFile('hostile.xlsx', [NOTES, salesSheet(HOSTILE, 4)]);
    const session = app();
    const page = await session.openApp();
    const dialogs = watchDialogs(page);
    await session.dropFile(path);
    await page.locator(SELECT).waitFor({ state: 'visible' });

    const start = await picker(session);
    expect([start.options, start.value]).toEqual([['说明', HOSTILE], HOSTILE]);
    expect(await page.locator('[data-testid=sheet-switched]').innerText()).toContain(HOSTILE);
    expect(await page.locator('img[src=x]').count()).toBe(0);

    await page.locator('[data-testid=confirm-mapping]').click();
    await session.waitForReport();
    expect(await session.readMetric('rows_kept', REPORT)).toBe(4);
    expect(await page.locator(REPORT).innerText()).toContain(HOSTILE);
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('leaves out a chart sheet and says an empty sheet is empty, without loading it', async () => {
    const path = await workbookFile('with-chart.xlsx', [salesSheet('数据', 2), { sheet: '空白', data: [] }], { chartSheet: '图表' });
    const session = app();
    const page = await session.openApp();
    await session.dropFile(path);
    await page.locator(SELECT).waitFor({ state: 'visible' });
    expect((await picker(session)).options).toEqual(['数据', '空白']);

    await page.locator(SELECT).selectOption('空白');
    await page.locator('[data-testid=sheet-empty]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid=column-mapping]').count()).toBe(0);
    expect(await page.locator('[data-testid=confirm-mapping]').isEnabled()).toBe(false);

    await page.locator(SELECT).selectOption('数据');
    await page.locator('[data-testid=column-mapping]').waitFor({ state: 'visible' });
    await page.locator('[data-testid=confirm-mapping]').click();
    await session.waitForReport();
    expect(await session.readMetric('rows_kept', REPORT)).toBe(2);
    expect(session.pageErrors).toEqual([]);
  });
});

describe('a large workbook', () => {
  const app = useApp();

  it('loads a 60,000-row sheet in well under a minute, every row accounted for', async () => {
    // Customer C000…C996, a date a day apart from 2023-01-01 (as Excel dates), amounts 1.25, 2.50, …
    const n = 60_000;
    const data: SheetData = [['客户ID', '订单日期', '金额', '备注']];
    let cents = 0;
    for (let i = 0; i < n; i++) {
      data.push([`C${String(i % 997).padStart(3, '0')}`, { value: new Date(Date.UTC(2023, 0, 1 + (i % 365))), type: Date, format: 'yyyy-mm-dd' }, (125 * (i % 8 + 1)) / 100, i % 10 === 0 ? '补录 & 核对' : null]);
      cents += 125 * (i % 8 + 1);
    }
    const path = await workbookFile('large.xlsx', [{ sheet: '销售明细', data }]);
    const session = app();
    await session.openApp();
    const t0 = Date.now();
    await session.dropFile(path);
    // read-excel-file had not finished 60,000 rows after 90 s in this browser.
    await session.waitForReport(45_000);
    const took = Date.now() - t0;
    expect(await session.readMetric('rows_read', REPORT)).toBe(n);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(n);
    expect(await session.readMetric('rows_rejected', REPORT)).toBe(0);
    expect(took).toBeLessThan(45_000);
    // 60,000 / 8 = 7,500 rounds of 1.25 + 2.50 + … + 10.00 = 45.00: revenue 337,500; 997 customers.
    expect(cents).toBe(33_750_000);
    await session.page.locator('[data-testid=continue]').click();
    const overview = '[data-testid=panel-overview]';
    await expect.poll(() => session.readMetric('revenue', overview), { timeout: 60_000 }).toBe(337_500);
    expect(await session.readMetric('customers', overview)).toBe(997);
    expect(session.pageErrors).toEqual([]);
  });
});
