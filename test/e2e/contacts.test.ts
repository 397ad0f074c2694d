/**
 * Contact fields in the page (Chinese UI): a wholesale ERP export whose 客户名称 and 联系电话
 * are mapped by their names goes through the file input; the all-customers export (CSV and
 * Parquet) carries name and phone after the id and the quadrant in Chinese; the churn list
 * shows the name, and its follow-up sheet adds the unused 地址 column (ticked by default).
 *
 * As of 2024-06-30 (the last line). K1: orders 01-05 and 01-15 (gap 10), recency 167 >
 * 2 × 10 and < 180 → decline, on the churn list; its latest line (01-15) has no name, so
 * the name is 01-05's (华东贸易); the phone and 地址 are 01-15's. K1's score 2 on a 1–5 scale
 * with 2 orders → hostages (被迫者). K2: 06-01, 06-11, recency 19 → formation. K3: one order.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetInit } from '../lib/export/fixture.ts';
import { DIST, useApp } from './harness.ts';

const FILE = [
  '单据编号,客户编码,客户名称,联系电话,开单日期,销售金额,成本金额,区域,满意度,地址',
  'XS1,K1,华东贸易,,2024-01-05,100.00,80.00,华东,2,上海路1号',
  'XS2,K1,,13800000001,2024-01-15,120.00,90.00,华东,2,上海路2号',
  'XS3,K2,北方商行,13900000002,2024-06-01,300.00,200.00,华北,5,北京路3号',
  'XS4,K2,北方商行,13900000002,2024-06-11,300.00,200.00,华北,5,北京路3号',
  'XS5,K3,南方小店,13700000003,2024-06-30,50.00,30.00,华南,4,',
].join('\r\n');

const dir = mkdtempSync(join(tmpdir(), 'contacts-'));
const path = join(dir, 'erp.csv');
writeFileSync(path, '\uFEFF' + FILE + '\r\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), click()]);
  return readFileSync((await file.path()) ?? '');
}

const csvRows = (buf: Buffer) =>
  buf
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));

describe('contact fields', () => {
  const app = useApp({ outDir: DIST, locale: 'zh-CN' });

  it('go into the customer export, the warning list and the follow-up sheet', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(path);
    await session.waitForReport(120_000);
    await page.locator('[data-testid=continue]').first().click();
    await page.locator('[data-testid=export-run]').waitFor({ timeout: 120_000 });
    await session.waitIdle(120_000);

    // All customers, CSV: id, name, phone first; the quadrant in Chinese.
    await page.locator('[data-testid=export-what]').selectOption('customers');
    await page.locator('[data-testid=export-format]').selectOption('csv');
    const csv = csvRows(await download(page, () => page.locator('[data-testid=export-run]').click()));
    const head = csv[0] ?? [];
    expect(head.slice(0, 3)).toEqual(['客户', '客户名称', '电话']);
    const q = head.indexOf('满意度×忠诚度类型');
    const byId = new Map(csv.slice(1).map((r) => [r[0], r]));
    expect(byId.get('K1')?.slice(1, 3)).toEqual(['华东贸易', '13800000001']);
    expect(byId.get('K1')?.[q]).toBe('被迫者');
    expect(byId.get('K3')?.slice(1, 3)).toEqual(['南方小店', '13700000003']);

    // Parquet keeps the column names.
    await page.locator('[data-testid=export-format]').selectOption('parquet');
    const pq = await download(page, () => page.locator('[data-testid=export-run]').click());
    parquetInit();
    const t = tableFromIPC(readParquet(new Uint8Array(pq)).intoIPCStream());
    expect(t.schema.fields.slice(0, 3).map((f) => f.name)).toEqual(['customer_id', 'name', 'phone']);
    const ids = [...(t.getChild('customer_id')?.toArray() ?? [])] as string[];
    expect(t.getChild('phone')?.get(ids.indexOf('K1'))).toBe('13800000001');

    // The churn list shows the name; the follow-up sheet adds it, the phone and 地址.
    await page.locator('[data-testid=tab-warnings]').click();
    const row = page.locator('[data-testid=warning-list-churn] tr[data-customer=K1]');
    await expect.poll(() => row.locator('td[data-field=name]').innerText(), { timeout: 60_000 }).toBe('华东贸易');
    expect(await page.locator('[data-testid=churn-unused] input[data-label=地址]').isChecked()).toBe(true);
    await page.locator('[data-testid=export-churn-format]').selectOption('csv');
    const sheet = csvRows(await download(page, () => page.locator('[data-testid=export-churn]').click()));
    const h = sheet[0] ?? [];
    const k1 = sheet.find((r) => r[1] === 'K1') ?? [];
    expect([k1[h.indexOf('客户名称')], k1[h.indexOf('电话')], k1[h.indexOf('地址')]]).toEqual(['华东贸易', '13800000001', '上海路2号']);
    // Its Parquet keeps the column names, and names the unused column by its label as the CSV does.
    await page.locator('[data-testid=export-churn-format]').selectOption('parquet');
    const sheetPq = tableFromIPC(readParquet(new Uint8Array(await download(page, () => page.locator('[data-testid=export-churn]').click()))).intoIPCStream());
    const names = sheetPq.schema.fields.map((f) => f.name);
    expect(names).toContain('地址');
    expect(names.filter((n) => n.startsWith('unused_'))).toEqual([]);
    const pqIds = [...(sheetPq.getChild('customer_id')?.toArray() ?? [])] as string[];
    expect(sheetPq.getChild('地址')?.get(pqIds.indexOf('K1'))).toBe('上海路2号');
    expect(session.pageErrors).toEqual([]);
  }, 300_000);
});
