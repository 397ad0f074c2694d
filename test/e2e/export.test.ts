/**
 * Exports in the browser's engine: CSV written by the engine per batch and Parquet from its
 * Arrow (no row objects), checked against the demo file's own line count and amounts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateSales } from '../../src/cli/generate-demo.ts';
import { parquetInit } from '../lib/export/fixture.ts';
import { DIST, ROOT, useApp, type AppSession } from './harness.ts';

/** Kept demo lines (a customer id present) and their amount total, from a plain split. */
function demoLines(): { count: number; total: number } {
  const lines = readFileSync(join(ROOT, 'public', 'demo', 'sales.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const id = header.indexOf('客户ID');
  const amount = header.indexOf('实付金额');
  let count = 0;
  let total = 0;
  for (const l of lines.slice(1)) {
    const cells = l.split(',');
    if ((cells[id] ?? '').trim() === '') continue;
    count++;
    total += Number(cells[amount]);
  }
  return { count, total };
}

async function download(page: Page, format: string): Promise<Buffer> {
  await page.locator('[data-testid=export-what]').selectOption('lines');
  await page.locator('[data-testid=export-format]').selectOption(format);
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.locator('[data-testid=export-run]').click()]);
  return readFileSync((await file.path()) ?? '');
}

/** Loads `path` through the file input and opens the dashboard; the kept lines and revenue. */
async function loadThroughUi(session: AppSession, path: string): Promise<{ kept: number | null; revenue: number | null }> {
  await session.openApp();
  await session.dropFile(path);
  await session.waitForReport(120_000);
  const kept = await session.readMetric('rows_kept', '[data-testid=load-report]');
  await session.page.locator('[data-testid=continue]').first().click();
  await session.page.locator('[data-testid=export-run]').waitFor({ timeout: 120_000 });
  await session.waitIdle(120_000);
  return { kept, revenue: await session.readMetric('revenue', '[data-testid=dashboard]') };
}

describe('exports of all lines', () => {
  // outDir given explicitly: startPreview serves dist/ unless told otherwise, even with LL_DIST set.
  const app = useApp({ outDir: DIST });

  it('CSV and Parquet hold every kept line of the demo with its amount', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').first().click();
    await page.locator('[data-testid=export-run]').waitFor({ timeout: 60_000 });
    const expected = demoLines();

    const csv = (await download(page, 'csv')).toString('utf8');
    expect(csv.startsWith('\uFEFFcustomer_id,order_id,order_datetime,amount,')).toBe(true);
    const rows = csv.slice(1).split('\r\n').slice(1, -1);
    expect(rows.length).toBe(expected.count);
    // The page says the export is done (a polite status line, in the page's language), then clears it.
    const done = page.locator('[data-testid=export-done]');
    expect(await done.getAttribute('role')).toBe('status');
    await expect.poll(() => done.innerText()).toBe(`已导出 lines.csv（${expected.count.toLocaleString('zh-CN')} 行）`);
    await expect.poll(() => done.innerText(), { timeout: 15_000 }).toBe('');
    const csvTotal = rows.reduce((s, r) => s + Number(r.split(',')[3]), 0);
    expect(csvTotal).toBeCloseTo(expected.total, 4);

    const pq = await download(page, 'parquet');
    parquetInit();
    const t = tableFromIPC(readParquet(new Uint8Array(pq)).intoIPCStream());
    expect(t.numRows).toBe(expected.count);
    expect(t.schema.fields.slice(0, 4).map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'customer_id:Utf8', 'order_id:Utf8', 'order_datetime:Timestamp<MILLISECOND>', 'amount:Float64',
    ]);
    const amounts = t.getChild('amount')?.toArray() as Float64Array;
    expect(amounts.reduce((s, v) => s + v, 0)).toBeCloseTo(expected.total, 4);
    // The first line of the file: 2023-01-01 18:10:45, as the CSV says.
    expect(rows[0]?.split(',')[2]).toBe('2023-01-01 18:10:45');
    expect(Number(t.getChild('order_datetime')?.get(0))).toBe(Date.UTC(2023, 0, 1, 18, 10, 45));
    expect(session.pageErrors).toEqual([]);
  }, 240_000);

  it('50 k lines leave in several batches, with progress, and load again as the same lines', async () => {
    const session = app();
    const dir = mkdtempSync(join(tmpdir(), 'export-50k-'));
    try {
      const source = join(dir, 'sales-50k.csv');
      writeFileSync(source, [...generateSales({ seed: 7, lines: 50_000 })].join('\n') + '\n');
      const original = await loadThroughUi(session, source);
      expect(original.kept).toBe(50_000);
      const files: string[] = [];
      for (const format of ['csv', 'parquet'] as const) {
        const bytes = await download(session.page, format);
        const menu = session.page.locator('.export-menu');
        // batchSizeFor(50 000) = 10 000 rows: five batches, every row counted.
        expect([format, await menu.getAttribute('data-batches'), await menu.getAttribute('data-rows')]).toEqual([format, '5', '50000']);
        files.push(join(dir, `lines.${format}`));
        writeFileSync(files[files.length - 1] as string, bytes);
      }
      for (const file of files) {
        const again = await loadThroughUi(session, file);
        expect([file, again.kept]).toEqual([file, 50_000]);
        expect(again.revenue).toBeCloseTo(original.revenue ?? NaN, 2);
      }
      expect(session.pageErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
