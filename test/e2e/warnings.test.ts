/**
 * The warnings panel in the page: on the demo, a list sorts, pages, exports as a follow-up
 * sheet and opens a customer's detail (Esc closes it, focus returns); on ~100 k customers
 * in decline, reading, sorting, paging and exporting the list is recorded with the
 * browser's long-task observer (the durations are printed, not asserted).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parquetInit } from '../lib/export/fixture.ts';
import { runCli } from './cli.ts';
import { DIST, ROOT, useApp } from './harness.ts';

const PAGE_SIZE = 100;

async function ids(page: Page, kind: string): Promise<string[]> {
  return page.locator(`[data-testid=warning-list-${kind}] tbody tr[data-customer]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer') ?? ''));
}

async function settled(page: Page, kind: string): Promise<void> {
  await page.waitForFunction((k) => document.querySelector(`[data-testid=warning-list-${k}]`)?.getAttribute('aria-busy') === 'false', kind, { timeout: 120_000 });
}

async function exportFile(page: Page, kind: string, format: 'csv' | 'xlsx' | 'parquet'): Promise<Buffer> {
  await page.locator(`[data-testid=export-${kind}-format]`).selectOption(format);
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.locator(`[data-testid=export-${kind}]`).click()]);
  expect(file.suggestedFilename()).toBe(`follow-up-${kind}.${format}`);
  return readFileSync((await file.path()) ?? '');
}

/** The lifetime-value columns of `analyze --customers` on the demo's sales, by customer id. */
function analyzeLifetime(): Map<string, { p_alive: number; clv: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'll-customers-'));
  try {
    const out = join(dir, 'customers.csv');
    runCli('analyze.ts', [join(ROOT, 'public', 'demo', 'sales.csv'), '--customers', out]);
    const [head = '', ...lines] = readFileSync(out, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const cols = head.split(',');
    const at = (name: string) => cols.indexOf(name);
    return new Map(lines.map((l) => l.split(',')).map((c) => [c[at('customer_id')] ?? '', { p_alive: Number(c[at('p_alive')]), clv: Number(c[at('clv')]) }]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exportCsv(page: Page, kind: string): Promise<string> {
  return (await exportFile(page, kind, 'csv')).toString('utf8');
}

/** Records long tasks from now on; `take()` returns their durations (ms) and starts again. */
async function watchLongTasks(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: false });
  });
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      const out = w.__long;
      w.__long = [];
      return out;
    });
}

describe('warnings panel', () => {
  const app = useApp({ outDir: DIST, locale: 'en' });

  it('on the demo: sorts, pages, exports the churn list and opens a customer', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').first().click();
    await page.locator('[data-testid=tab-warnings]').waitFor({ timeout: 120_000 });
    await session.waitIdle(120_000);
    await page.locator('[data-testid=tab-warnings]').click();
    const list = page.locator('[data-testid=warning-list-churn]');
    await list.waitFor();
    const total = Number(await list.getAttribute('data-total'));
    const shownTotal = Number(await page.locator('[data-testid=panel-warnings] div[data-metric=churn_warning_customers]').getAttribute('data-value'));
    expect(total).toBe(shownTotal);
    expect(total).toBeGreaterThan(0);

    // Sorted by id ascending, a page at a time.
    await page.locator('[data-testid=churn-sort-customer_id]').click();
    await settled(page, 'churn');
    await page.waitForFunction(() => document.querySelector('[data-testid=warning-list-churn] th[aria-sort=ascending]') !== null);
    const first = await ids(page, 'churn');
    expect(first.length).toBe(Math.min(PAGE_SIZE, total));
    expect(first).toEqual([...first].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    if (total > PAGE_SIZE) {
      await page.locator('[data-testid=churn-next]').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=warning-list-churn]')?.getAttribute('data-offset') === '100');
      await settled(page, 'churn');
      const second = await ids(page, 'churn');
      expect(second.length).toBe(Math.min(PAGE_SIZE, total - PAGE_SIZE));
      expect((second[0] ?? '') > (first.at(-1) ?? '')).toBe(true);
      await page.locator('[data-testid=churn-prev]').click();
      await settled(page, 'churn');
    } else {
      expect(await page.locator('[data-testid=churn-next]').isDisabled()).toBe(true);
    }

    // The follow-up sheet: every customer of the list, in the list's order, with §9's columns.
    const csv = await exportCsv(page, 'churn');
    expect(csv.startsWith('\uFEFFRank,Customer,Stage,RFM segment,Tier,First purchase,Last purchase,Purchase days,')).toBe(true);
    const rows = csv.slice(1).split('\r\n').slice(1, -1).map((r) => r.split(','));
    expect(rows).toHaveLength(total);
    for (const r of rows) expect(r).toHaveLength(16);
    expect(rows.map((r) => Number(r[0]))).toEqual(rows.map((_, i) => i + 1));
    expect(rows.slice(0, first.length).map((r) => r[1])).toEqual(first);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['decline']));
    // The same list as Parquet (typed columns) and as a workbook.
    const pq = await exportFile(page, 'churn', 'parquet');
    parquetInit();
    const table = tableFromIPC(readParquet(new Uint8Array(pq)).intoIPCStream());
    expect(table.numRows).toBe(total);
    expect(table.schema.fields.slice(0, 3).map((f) => `${f.name}:${String(f.type)}`)).toEqual(['rank:Int32', 'customer_id:Utf8', 'stage:Utf8']);
    expect(Array.from(table.getChild('customer_id')?.toArray() as string[]).slice(0, first.length)).toEqual(first);
    const xlsx = await exportFile(page, 'churn', 'xlsx');
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');
    // With the latest line's mapped columns.
    await page.locator('[data-testid=churn-with-line]').check();
    const wide = await exportCsv(page, 'churn');
    const header = wide.slice(1).split('\r\n')[0]?.split(',') ?? [];
    expect(header.slice(16)).toEqual(['Latest product', 'Latest category', 'Latest region', 'Latest channel']);
    expect(wide.slice(1).split('\r\n').slice(1, -1)).toHaveLength(total);

    // The customer's detail: a dialog, closed by Esc, focus back on the id.
    const opener = list.locator('[data-testid=customer-open]').first();
    const id = (await opener.textContent())?.trim() ?? '';
    await opener.click();
    const dialog = page.locator('[data-testid=panel-warnings] [data-testid=customer-detail]');
    await dialog.locator('[data-testid=customer-detail-orders] tbody tr').first().waitFor({ timeout: 30_000 });
    expect(await dialog.locator('[data-testid=customer-detail-title]').textContent()).toContain(id);
    expect(await dialog.locator('[data-field=stage]').textContent()).toBe('Decline');
    expect(await dialog.locator('[data-testid=customer-detail-orders] tbody tr').count()).toBeGreaterThan(1);
    // Its lifetime-value figures are the model's, the same as analyze --customers.
    const cli = analyzeLifetime().get(id);
    expect(cli, `${id} in analyze --customers`).toBeDefined();
    const life = dialog.locator('[data-testid=customer-detail-lifetime]');
    for (const field of ['p_alive', 'clv'] as const) {
      const shown = Number(await life.locator(`[data-field=${field}]`).getAttribute('data-value'));
      expect(Math.abs(shown - (cli?.[field] ?? NaN)), field).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(shown)));
    }
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.querySelector('[data-testid=panel-warnings] [data-testid=customer-detail]') as HTMLDialogElement | null)?.open);
    await page.waitForFunction((want) => document.activeElement?.textContent?.trim() === want, id);

    // The overview's to-do lines lead here.
    await page.locator('[data-testid=tab-overview]').click();
    await page.locator('[data-testid=todo-churn]').click();
    expect(await page.locator('[data-testid=tab-warnings]').getAttribute('aria-selected')).toBe('true');
    expect(session.pageErrors).toEqual([]);
  });

  it('on the demo (cost mapped): key classes on the scatter, a class list exported and a customer opened', async () => {
    const session = app();
    const page = await session.openApp('demo');
    await session.waitForReport();
    await page.locator('[data-testid=continue]').first().click();
    await page.locator('[data-testid=tab-key_customers]').waitFor({ timeout: 120_000 });
    await session.waitIdle(120_000);
    await page.locator('[data-testid=tab-key_customers]').click();
    const panel = page.locator('[data-testid=panel-key_customers]');
    await panel.locator('[data-testid=chart-key-scatter] svg').first().waitFor({ timeout: 30_000 });
    const red = Number(await panel.locator('div[data-metric=key_red]').getAttribute('data-value'));
    expect(red).toBeGreaterThan(0);
    await panel.locator('[data-testid=key-list-red]').click();
    const list = panel.locator('[data-testid=key-list]');
    await list.waitFor();
    expect(Number(await list.getAttribute('data-total'))).toBe(red);
    await panel.locator('[data-testid=export-key-format]').selectOption('csv');
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), panel.locator('[data-testid=export-key]').click()]);
    const csv = readFileSync((await file.path()) ?? '').toString('utf8');
    expect(csv.startsWith('\uFEFFValue rank,Customer,Value,Profit,Margin,Class\r\n')).toBe(true);
    const rows = csv.slice(1).split('\r\n').slice(1, -1).map((r) => r.split(','));
    expect(rows).toHaveLength(red);
    expect(new Set(rows.map((r) => r[5]))).toEqual(new Set(['red']));
    await list.locator('[data-testid=customer-open]').first().click();
    const dialog = panel.locator('[data-testid=customer-detail]');
    await dialog.locator('[data-testid=customer-detail-orders] tbody tr').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.querySelector('[data-testid=panel-key_customers] [data-testid=customer-detail]') as HTMLDialogElement | null)?.open);
    expect(session.pageErrors).toEqual([]);
  });

  it('without profit or cost: key customers name the column they need and list customers by value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-key-'));
    try {
      // Values: C3 300, C1 100 (two orders), C2 50.
      const path = join(dir, 'no-cost.csv');
      writeFileSync(path, 'customer_id,order_id,order_date,amount\nC1,O1,2024-01-02,60\nC1,O2,2024-02-02,40\nC2,O3,2024-01-05,50\nC3,O4,2024-03-01,300\n');
      const session = app();
      const page = await session.openApp();
      await session.dropFile(path);
      await session.waitForReport();
      await page.locator('[data-testid=continue]').first().click();
      await page.locator('[data-testid=tab-key_customers]').waitFor({ timeout: 120_000 });
      await session.waitIdle(120_000);
      await page.locator('[data-testid=tab-key_customers]').click();
      const panel = page.locator('[data-testid=panel-key_customers]');
      expect(await panel.locator('[data-testid=key-needs-profit]').textContent()).toMatch(/profit column, or a cost column/);
      const list = panel.locator('[data-testid=key-list]');
      await list.waitFor();
      expect(await list.locator('[data-testid=customer-open]').allTextContents()).toEqual(['C3', 'C1', 'C2']);
      expect(await panel.locator('[data-testid=chart-key-scatter]').count()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('~100 k customers in decline: the list reads, sorts, pages and exports without long main-thread tasks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-warn-'));
    try {
      // Customer i bought on three days 10 days apart, the last 60 + (i mod 90) days before
      // the file's last day: recency > 2 × gap and < 180, so every one is in decline.
      const n = 100_000;
      const end = Date.UTC(2024, 11, 31);
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const out: string[] = ['customer_id,order_id,order_date,amount,region,category'];
      for (let i = 0; i < n; i++) {
        const last = end - (60 + (i % 90)) * 86_400_000;
        for (let k = 0; k < 3; k++) out.push(`C${String(i).padStart(6, '0')},O${i}-${k},${day(last - (2 - k) * 10 * 86_400_000)},${(10 + (i % 500) + k).toFixed(2)},R${i % 7},K${i % 5}`);
      }
      out.push(`Z,OZ,${day(end)},1.00,R0,K0`);
      const path = join(dir, 'decline.csv');
      writeFileSync(path, out.join('\n') + '\n');

      const session = app();
      const page = await session.openApp();
      await session.dropFile(path);
      await session.waitForReport(240_000);
      await page.locator('[data-testid=continue]').first().click();
      await page.locator('[data-testid=tab-warnings]').waitFor({ timeout: 240_000 });
      await session.waitIdle(240_000);
      const take = await watchLongTasks(page);
      const phases: Record<string, { ms: number; long: number[] }> = {};
      const phase = async (name: string, run: () => Promise<void>) => {
        const t0 = Date.now();
        await run();
        phases[name] = { ms: Date.now() - t0, long: await take() };
      };

      await phase('open', async () => {
        await page.locator('[data-testid=tab-warnings]').click();
        await page.locator('[data-testid=warning-list-churn] tbody tr[data-customer]').first().waitFor();
      });
      const total = Number(await page.locator('[data-testid=warning-list-churn]').getAttribute('data-total'));
      expect(total).toBe(n);
      await phase('sort', async () => {
        await page.locator('[data-testid=churn-sort-recency_days]').click();
        await page.waitForFunction(() => document.querySelector('[data-testid=warning-list-churn] th[aria-sort=descending] [data-testid=churn-sort-recency_days]') !== null);
        await settled(page, 'churn');
      });
      await phase('page', async () => {
        for (let k = 1; k <= 5; k++) {
          await page.locator('[data-testid=churn-next]').click();
          await page.waitForFunction((o) => document.querySelector('[data-testid=warning-list-churn]')?.getAttribute('data-offset') === String(o), k * PAGE_SIZE);
          await settled(page, 'churn');
          expect((await ids(page, 'churn')).length).toBeLessThanOrEqual(PAGE_SIZE);
        }
      });
      await phase('scroll', async () => {
        await page.locator('[data-testid=warning-list-churn] .table').evaluate((el) => el.scrollTo(0, el.scrollHeight));
        await page.waitForTimeout(300);
      });
      let csv = '';
      await phase('export', async () => {
        csv = await exportCsv(page, 'churn');
      });
      expect(csv.slice(1).split('\r\n').slice(1, -1)).toHaveLength(n);
      expect(await page.locator('[data-testid=warning-list-churn] tbody tr').count()).toBeLessThanOrEqual(PAGE_SIZE);

      const worst = Math.max(0, ...Object.values(phases).flatMap((p) => p.long));
      console.log(`warnings list at ${n} customers (target: no task over 200 ms): ${JSON.stringify(phases)}; longest task ${worst} ms`);
      expect(session.pageErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
