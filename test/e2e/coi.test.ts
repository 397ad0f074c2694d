/**
 * The threads engine: the build served with COOP/COEP (test/e2e/coi-server.ts) runs
 * duckdb-wasm's `coi` bundle with one thread per core, gives the demo the same Overview as
 * the `eh` bundle on a plain host, and keeps `coi` offline after one visit without it being
 * in the precache list.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSales } from '../../src/cli/generate-demo.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from './coi-server.ts';
import { guard, metricValues, workerContext, type Guarded } from './device-harness.ts';
import { DIST, launchChromium } from './harness.ts';

interface EngineInfo {
  readonly isolated: boolean;
  readonly bundle: string | null;
  readonly threads: string | null;
  readonly coiError: string | null;
  readonly cores: number;
  readonly startMillis: number | null;
}

/** Holds the device database file open, so the page keeps its data in memory (as when OPFS is unavailable). */
const LOCK_DEVICE_FILE = `navigator.storage?.getDirectory()
  .then((d) => d.getFileHandle('loyalty-lens.duckdb', { create: true }))
  .then((h) => h.createWritable())
  .then((w) => { window.__deviceLock = w; });`;

/** CSP violations, recorded from the first script on (the page's own listeners come later). */
const RECORD_CSP = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`;

async function engineInfo(page: Page): Promise<EngineInfo> {
  await page.locator('html[data-engine-bundle]').waitFor({ state: 'attached', timeout: 60_000 });
  return page.evaluate(() => {
    const d = document.documentElement.dataset;
    const w = window as unknown as { __loyaltyLens?: { timings?: { engine?: { total?: number } } } };
    return {
      isolated: globalThis.crossOriginIsolated,
      bundle: d.engineBundle ?? null,
      threads: d.engineThreads ?? null,
      coiError: d.engineCoiError ?? null,
      cores: navigator.hardwareConcurrency,
      startMillis: w.__loyaltyLens?.timings?.engine?.total ?? null,
    };
  });
}

/** The demo through its button, then the Overview's metrics (`data-value` by metric id). */
async function demoOverview(page: Page): Promise<Record<string, string>> {
  await page.locator('[data-testid=demo-button]').click();
  // After a reload the address holds a view (v=1), and the load opens the dashboard itself.
  await page.locator('[data-testid=load-report]').or(page.locator('[data-testid=open-load-report]')).first().waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('[data-testid=busy]').first().waitFor({ state: 'detached', timeout: 90_000 });
  if (await page.locator('[data-testid=continue]').isVisible()) await page.locator('[data-testid=continue]').click();
  await page.locator('[data-testid=panel-overview] svg').first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('[data-testid=busy]').first().waitFor({ state: 'detached', timeout: 60_000 });
  return metricValues(page, '[data-testid=panel-overview]');
}

/** Same metrics; numbers may differ only in float formatting (parallel sums add in another order). */
function expectSameMetrics(got: Record<string, string>, want: Record<string, string>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [id, w] of Object.entries(want)) {
    const g = got[id] ?? '';
    const a = Number(g);
    const b = Number(w);
    if (w.trim() !== '' && Number.isFinite(b) && Number.isFinite(a)) {
      expect(Math.abs(a - b), `${id}: coi ${g} vs eh ${w}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    } else {
      expect(g, id).toBe(w);
    }
  }
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

describe('threads engine (coi) on a cross-origin isolated host', () => {
  let isolated: StaticServer;
  let plain: StaticServer;
  let browser: Browser;
  const open: BrowserContext[] = [];
  let ehOverview: Record<string, string> = {};

  /** A fresh context (service workers blocked unless asked), guarded against off-origin requests. */
  async function session(server: StaticServer, workers = false, inMemory = false): Promise<Guarded> {
    const ctx = workers ? await workerContext(browser) : await browser.newContext({ locale: 'zh-CN', serviceWorkers: 'block' });
    open.push(ctx);
    await ctx.addInitScript(RECORD_CSP);
    if (inMemory) await ctx.addInitScript(LOCK_DEVICE_FILE);
    return guard(ctx, new URL(server.url).origin);
  }

  beforeAll(async () => {
    isolated = await startStaticServer(DIST, { isolate: true });
    plain = await startStaticServer(DIST, { isolate: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const ctx of open) await ctx.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await isolated?.stop();
    await plain?.stop();
  });

  it('precaches eh and lists coi (wasm, worker, pthread worker) only on demand', () => {
    const sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
    const precache = JSON.parse(/(\{"version":"[0-9a-f]+","urls":\[[^\]]*\]\})/.exec(sw)?.[1] ?? 'null') as { urls: string[] };
    const onDemand = JSON.parse(/(\{"coi":\[[^\]]*\]\})/.exec(sw)?.[1] ?? 'null') as { coi: string[] };
    expect(precache.urls.filter((u) => /duckdb-(coi|browser-coi)/.test(u))).toEqual([]);
    expect(precache.urls.filter((u) => /^assets\/duckdb-(eh-.*\.wasm|browser-eh\.worker-.*\.js)$/.test(u))).toHaveLength(2);
    expect(onDemand.coi).toHaveLength(3);
    expect(onDemand.coi[0]).toMatch(/^assets\/duckdb-browser-coi\.pthread\.worker-[\w-]+\.js$/);
    expect(onDemand.coi[1]).toMatch(/^assets\/duckdb-browser-coi\.worker-[\w-]+\.js$/);
    expect(onDemand.coi[2]).toMatch(/^assets\/duckdb-coi-[\w-]+\.wasm$/);
    const mb = (urls: string[]) => urls.reduce((s, u) => s + statSync(join(DIST, u)).size, 0) / 1048576;
    // The coi wasm alone is ~34 MB: precaching it would double what every visitor downloads.
    expect(mb(onDemand.coi)).toBeGreaterThan(30);
    console.log(`precache ${mb(precache.urls).toFixed(1)} MB; coi on demand ${mb(onDemand.coi).toFixed(1)} MB`);
  });

  it('a plain host runs eh (not isolated) and the demo loads', async () => {
    const s = await session(plain);
    const page = await s.page();
    await page.goto(plain.url);
    const info = await engineInfo(page);
    expect(info).toMatchObject({ isolated: false, bundle: 'eh', threads: '1', coiError: null });
    ehOverview = await demoOverview(page);
    expect(Number(ehOverview.customers)).toBeGreaterThan(1000);
    expect(await cspViolations(page)).toEqual([]);
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
    console.log(`eh engine start ${info.startMillis?.toFixed(0)} ms`);
  });

  it('an isolated host runs coi with one thread per core, the demo gives the same Overview as eh, and it comes back after a reload', async () => {
    expect(ehOverview.customers).toBeDefined();
    const s = await session(isolated);
    const page = await s.page();
    await page.goto(isolated.url);
    const info = await engineInfo(page);
    expect(info).toMatchObject({ isolated: true, bundle: 'coi', coiError: null });
    expect(info.threads).toBe(String(info.cores));
    const loaded = await demoOverview(page);
    expectSameMetrics(loaded, ehOverview);
    // Kept on the device, where the engine runs one thread (its pthreads cannot use the OPFS file).
    await page.locator('[data-testid=storage-indicator][data-state=stored]').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.evaluate(() => document.documentElement.dataset.engineThreads)).toBe('1');

    // The URL now says `?demo`: a reload reopens the stored file (with threads running, that
    // open fails in duckdb-wasm 1.32 unless they are stopped first), then loads the demo again.
    expect(new URL(page.url()).searchParams.has('demo')).toBe(true);
    await page.reload();
    // `?demo` opens the dashboard once the demo is loaded again.
    await page.locator('[data-testid=open-load-report]').first().waitFor({ state: 'visible', timeout: 90_000 });
    await page.locator('[data-testid=storage-indicator][data-state=stored]').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('[data-testid=panel-overview] svg').first().waitFor({ state: 'visible', timeout: 60_000 });
    expect(await metricValues(page, '[data-testid=panel-overview]')).toEqual(loaded);
    expect(await engineInfo(page)).toMatchObject({ isolated: true, bundle: 'coi', threads: '1', coiError: null });
    expect(await page.locator('[data-testid=storage-notice], [data-testid=storage-problem]').count()).toBe(0);
    expect(await cspViolations(page)).toEqual([]);
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
    console.log(`coi engine start ${info.startMillis?.toFixed(0)} ms, ${info.threads} threads`);
  });

  // duckdb-wasm 1.32's threads bundle failed a ~90 MB load in memory on two threads with
  // "Out of Memory Error: Allocation failure" (it looked like a hang: the load never reported),
  // from the CSV reader's 64 MB max_line_size (see DbClient.singleThreaded). Loads run on one
  // thread (WasmDb.singleThreaded) and the threads come back for the dashboard's queries,
  // which this test also runs.
  it('in memory, coi loads a file of ~90 MB on one thread and keeps its threads for the dashboard', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-coi-'));
    try {
      const file = join(dir, 'sales-1m.csv');
      writeFileSync(file, [...generateSales({ seed: 7, lines: 1_000_000 })].join('\n') + '\n');
      // ~93 MB: at this size the copy into the engine used to fail with threads (see WasmDb.registerBuffer).
      expect(statSync(file).size).toBeGreaterThan(64 * 1048576);
      const s = await session(isolated, false, true);
      const page = await s.page();
      await page.goto(isolated.url);
      expect((await engineInfo(page)).bundle).toBe('coi');
      await page.setInputFiles('[data-testid=file-input]', file);
      await page.locator('[data-testid=load-report]').first().waitFor({ state: 'visible', timeout: 90_000 });
      expect(Number(await page.locator('[data-testid=load-report] [data-metric=rows_read]').first().getAttribute('data-value'))).toBe(1_000_000);
      expect(await page.locator('[data-testid=storage-indicator]').getAttribute('data-state')).toBe('memory');
      expect(await engineInfo(page)).toMatchObject({ bundle: 'coi', threads: String(await page.evaluate(() => navigator.hardwareConcurrency)) });
      await page.locator('[data-testid=continue]').click();
      await page.locator('[data-testid=panel-overview] svg').first().waitFor({ state: 'visible', timeout: 90_000 });
      expect(Number((await metricValues(page, '[data-testid=panel-overview]')).customers)).toBeGreaterThan(10_000);
      expect(s.pageErrors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after one visit, coi is cached and the demo loads on it with the network off', async () => {
    const s = await session(isolated, true);
    const page = await s.page();
    await page.goto(isolated.url);
    expect((await engineInfo(page)).bundle).toBe('coi');
    const onDemand = (JSON.parse(/(\{"coi":\[[^\]]*\]\})/.exec(readFileSync(join(DIST, 'sw.js'), 'utf8'))?.[1] ?? 'null') as { coi: string[] }).coi;
    const cachedCoi = () =>
      page.evaluate(async (paths) => {
        const out: string[] = [];
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          for (const p of paths) if (await cache.match(new URL(p, location.href).href)) out.push(p);
        }
        return out.sort();
      }, onDemand);
    await expect.poll(cachedCoi, { timeout: 60_000, interval: 250 }).toEqual([...onDemand].sort());

    await s.context.setOffline(true);
    try {
      await page.reload();
      expect(await engineInfo(page)).toMatchObject({ isolated: true, bundle: 'coi', coiError: null });
      expectSameMetrics(await demoOverview(page), ehOverview);
    } finally {
      await s.context.setOffline(false);
    }
    expect(s.offOrigin).toEqual([]);
    expect(s.pageErrors).toEqual([]);
  });
});
