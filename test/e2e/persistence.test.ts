import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { generateSales } from '../../src/cli/generate-demo.ts';
import { FIXTURES, startPreview, type PreviewServer } from './harness.ts';
import { freshProfile, guard, launchProfile, metricValues, opfsListing, type Guarded } from './device-harness.ts';

const DB_FILE = 'loyalty-lens.duckdb';

describe('the loaded dataset stays on this device', () => {
  let server: PreviewServer;
  const profile = freshProfile();
  let session: Guarded | null = null;

  beforeAll(async () => {
    server = await startPreview();
  });
  afterAll(async () => {
    await session?.context.close().catch(() => undefined);
    await server?.stop();
    profile.dispose();
  });

  async function open(): Promise<Guarded> {
    await session?.context.close().catch(() => undefined);
    session = await guard(await launchProfile(profile.dir), new URL(server.url).origin);
    return session;
  }

  const overview = '[data-testid=panel-overview]';
  const chart = `${overview} svg`;
  /** The overview drawn and the dashboard's run done (the first run shows the overview before the other panels). */
  const shown = async (page: Page): Promise<void> => {
    await page.locator(chart).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('[data-testid=dashboard][aria-busy=false]').waitFor({ state: 'attached', timeout: 60_000 });
  };

  it('comes back after a reload and after a browser restart; Forget deletes it', async () => {
    let s = await open();
    let page = await s.page();
    await page.goto(server.url);
    // A dropped file (not the demo: a `?demo` link loads the demo again on every visit).
    await page.setInputFiles('[data-testid=file-input]', join(FIXTURES, '01_gb18030_chinese_headers.csv'));
    await page.locator('[data-testid=load-report]').waitFor({ state: 'visible', timeout: 90_000 });
    const stored = '[data-testid=storage-indicator][data-state=stored]';
    await page.locator(stored).waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('[data-testid=continue]').click();
    await shown(page);
    const loaded = await metricValues(page, overview);
    expect(Object.keys(loaded).length).toBeGreaterThan(3);
    const ingest = await page.evaluate(() => (window as unknown as { __loyaltyLens?: { timings?: { ingest?: { total: number } } } }).__loyaltyLens?.timings?.ingest?.total ?? null);
    console.log(`load into the device database (store and checkpoint included): ${ingest?.toFixed(0)} ms`);
    const files = await opfsListing(page);
    expect(files.map((f) => f.name)).toContain(DB_FILE);

    // Reload: no file dropped, the dashboard is back with the same numbers.
    await page.reload();
    await shown(page);
    expect(await metricValues(page, overview)).toEqual(loaded);
    await page.locator(stored).waitFor({ state: 'visible' });
    const t = await page.evaluate(() => (window as unknown as { __loyaltyLens?: { timings?: { restore?: number; engine?: { total: number } } } }).__loyaltyLens?.timings);
    console.log(`restore after reload: ${t?.restore?.toFixed(0)} ms (engine start ${t?.engine?.total.toFixed(0)} ms of it)`);

    // Browser closed and started again on the same profile.
    s = await open();
    page = await s.page();
    await page.goto(server.url);
    await shown(page);
    expect(await metricValues(page, overview)).toEqual(loaded);
    await page.locator(`${stored} button`).first().click();
    const storedAt = await page.locator('[data-testid=storage-date]').getAttribute('data-value');
    expect(Date.now() - Date.parse(storedAt ?? '')).toBeLessThan(10 * 60_000);
    const bytes = Number(await page.locator('[data-testid=storage-size]').getAttribute('data-value'));
    expect(bytes).toBeGreaterThan(100_000);
    console.log(`stored database: ${(bytes / 1048576).toFixed(2)} MB`);

    // Forget: first screen, nothing left in the origin-private file system or in localStorage.
    await page.locator('[data-testid=storage-forget]').click();
    await page.locator('[data-testid=storage-forget-confirm]').click();
    await page.locator('[data-testid=demo-button]').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('[data-testid=storage-indicator]').waitFor({ state: 'detached', timeout: 30_000 });
    expect((await opfsListing(page)).filter((f) => f.name.startsWith(DB_FILE))).toEqual([]);
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k !== 'loyalty-lens.lang'));
    expect(kept).toEqual([]);

    // And it stays gone after a restart.
    s = await open();
    page = await s.page();
    await page.goto(server.url);
    await page.locator('[data-testid=demo-button]').waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(1500);
    expect(await page.locator(chart).count()).toBe(0);
    expect((await opfsListing(page)).filter((f) => f.name.startsWith(DB_FILE))).toEqual([]);
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });

  it('asks before the page is left while a load is not yet written, and no longer once it is', async () => {
    // 200,000 lines: after the report, the dashboard's first run and the write take over a second.
    const dir = mkdtempSync(join(tmpdir(), 'll-leave-'));
    const own = freshProfile();
    const ctx = await launchProfile(own.dir);
    try {
      const file = join(dir, 'sales-200k.csv');
      writeFileSync(file, [...generateSales({ seed: 3, lines: 200_000 })].join('\n') + '\n');
      const s = await guard(ctx, new URL(server.url).origin);
      const page = await s.page();
      await page.goto(server.url);
      // Browsers ask only on a page the user has interacted with.
      await page.locator('[data-testid=file-input]').waitFor({ state: 'attached' });
      await page.mouse.click(4, 4);
      await page.setInputFiles('[data-testid=file-input]', file);
      await page.locator('[data-testid=load-report]').waitFor({ state: 'visible', timeout: 90_000 });
      expect(await page.locator('[data-testid=storage-indicator]').getAttribute('data-state')).toBe('saving');

      const asked = page.waitForEvent('dialog', { timeout: 10_000 });
      const reload = page.reload({ timeout: 5_000 }).then(
        () => 'reloaded',
        () => 'stayed',
      );
      const dialog = await asked;
      expect(dialog.type()).toBe('beforeunload');
      await dialog.dismiss();
      expect(await reload).toBe('stayed');

      // Still here, and written in the end; then a reload goes without a question and restores it.
      await page.locator('[data-testid=load-report]').waitFor({ state: 'visible' });
      await page.locator('[data-testid=storage-indicator][data-state=stored]').waitFor({ state: 'visible', timeout: 60_000 });
      // More lines than one slice of the write (stored.ts PERSIST_SLICE_ROWS): the lines copied in two calls, the customers' contacts in one.
      const steps = await page.evaluate(() => (window as unknown as { __loyaltyLens?: { timings?: { saveSteps?: { slices: number } } } }).__loyaltyLens?.timings?.saveSteps);
      expect(steps?.slices).toBe(3);
      await page.locator('[data-testid=continue]').click();
      await shown(page);
      const loaded = await metricValues(page, overview);
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.type());
        void d.accept();
      });
      await page.reload();
      await shown(page);
      expect(await metricValues(page, overview)).toEqual(loaded);
      expect(dialogs).toEqual([]);
      expect(s.pageErrors).toEqual([]);
    } finally {
      await ctx.close().catch(() => undefined);
      own.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
