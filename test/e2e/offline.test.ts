import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, FIXTURES, launchChromium, startPreview, type PreviewServer } from './harness.ts';
import { guard, workerContext, type Guarded } from './device-harness.ts';

/** The precache list spliced into sw.js by the build. */
function precacheOf(swPath: string): { version: string; urls: string[] } {
  const m = /(\{"version":"[0-9a-f]+","urls":\[[^\]]*\]\})/.exec(readFileSync(swPath, 'utf8'));
  if (!m?.[1]) throw new Error('no precache list in sw.js');
  return JSON.parse(m[1]) as { version: string; urls: string[] };
}

describe('offline, from a sub-path', () => {
  // The build served at /app/ (as on a static host's sub-folder), with a stand-in page at /.
  const root = mkdtempSync(join(tmpdir(), 'll-offline-'));
  const site = join(root, 'app');
  let server: PreviewServer;
  let browser: Browser;
  let session: Guarded;
  let appUrl = '';

  beforeAll(async () => {
    cpSync(DIST, site, { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>host</title>');
    server = await startPreview({ outDir: root });
    browser = await launchChromium();
    appUrl = `${server.url}app/`;
    session = await guard(await workerContext(browser), new URL(server.url).origin);
  });
  afterAll(async () => {
    await session?.context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists every built file the page needs up front (the threads build is fetched on demand), with its content hash', () => {
    const list = precacheOf(join(DIST, 'sw.js'));
    expect(list.urls).toContain('index.html');
    expect(list.urls).toContain('demo/sales.csv');
    expect(list.urls).toContain('manifest.webmanifest');
    expect(list.urls.some((u) => /^assets\/duckdb-eh-.*\.wasm$/.test(u))).toBe(true);
    expect(list.urls.some((u) => /^assets\/duckdb-browser-eh\.worker-.*\.js$/.test(u))).toBe(true);
    expect(list.urls.some((u) => /^assets\/parquet_wasm_bg-.*\.wasm$/.test(u))).toBe(true);
    expect(list.urls.filter((u) => u.endsWith('.map') || u === 'sw.js')).toEqual([]);
    const bytes = list.urls.reduce((s, u) => s + statSync(join(DIST, u)).size, 0);
    console.log(`precache: ${list.urls.length} files, ${(bytes / 1048576).toFixed(1)} MB`);
  });

  it('after one visit, loads the demo and a dropped file with the network off', async () => {
    const page = await session.page();
    await page.goto(appUrl);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(appUrl);
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toBe(`${appUrl}sw.js`);
    const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href');
    expect(manifestHref).toBe('./manifest.webmanifest');

    await session.context.setOffline(true);
    try {
      await page.reload();
      await page.setInputFiles('[data-testid=file-input]', join(FIXTURES, '01_gb18030_chinese_headers.csv'));
      // The address holds the view (v=1) since the first visit: like a shared link, the load opens the dashboard.
      await page.locator('[data-testid=load-report]').or(page.locator('[data-testid=open-load-report]')).first().waitFor({ state: 'visible', timeout: 90_000 });
      if (await page.locator('[data-testid=continue]').isVisible()) await page.locator('[data-testid=continue]').click();
      await page.locator('[data-testid=panel-overview] svg').first().waitFor({ state: 'visible', timeout: 60_000 });
      // Written to the device first: leaving before then asks (see persistence.test.ts).
      await page.locator('[data-testid=storage-indicator][data-state=stored]').waitFor({ state: 'visible', timeout: 30_000 });

      // `?demo` loads the demo files, which come from the cache too, and opens the dashboard.
      await page.goto(`${appUrl}?demo`);
      await page.locator('[data-testid=panel-overview] svg').first().waitFor({ state: 'visible', timeout: 60_000 });
    } finally {
      await session.context.setOffline(false);
    }
    expect(session.offOrigin).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('announces a new version, reloads only when asked, and drops the old cache', async () => {
    const page = await session.page();
    const swPath = join(site, 'sw.js');
    const before = precacheOf(swPath);
    const next = { ...before, version: 'f'.repeat(16) };
    writeFileSync(swPath, readFileSync(swPath, 'utf8').replace(JSON.stringify(before), JSON.stringify(next)));
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
    });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.locator('[data-testid=update-notice]').waitFor({ state: 'visible', timeout: 60_000 });
    // Announced, not forced: the page (and the analysis on it) is still the same document.
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(await page.locator('[data-testid=panel-overview] svg').count()).toBeGreaterThan(0);

    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.locator('[data-testid=update-reload]').click()]);
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere ?? false)).toBe(false);
    await page.locator('[data-testid=lang-switch]').waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => caches.keys()), { timeout: 30_000 }).toEqual([`loyalty-lens-${next.version}`]);
    expect(await page.locator('[data-testid=update-notice]').count()).toBe(0);
  });
});
