/**
 * One load in the page, watched: drop a file, then every 10 s the tab's PSS and what the
 * page shows (report, ingest error, busy), until the report or an error appears.
 *   npx tsx test/bench/page-load.mts FILE [--coi] [--continue]
 *   --continue: then open the dashboard and watch until the panels are drawn or an error shows.
 *   --maps: also print the largest process's memory by mapping (mappingSplit): the engine's
 *           wasm memory apart from the rest, to tell which one grows; --every S: watch every S s;
 *           --linger S: go on watching S s after the panels are drawn.
 *   --profile: a browser profile on disk, as a user's browser has; by default the context is
 *           off the record, where Chromium keeps the site's private file system (the database
 *           on the device) in the browser process's memory: ~0.3 GB more at 10 M lines.
 *   --heap: also print the page's main-thread JavaScript heap (used / reserved), and at the end
 *           the same after a forced collection (what is live, not garbage).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { AppSession, CHROMIUM_ARGS, CHROMIUM_PATH, startPreview } from '../e2e/harness.ts';
import { mappingSplit, PssSampler } from './pss.ts';

/** Chromium's `--type=` of a process (the browser process has none). */
function processType(pid: number): string {
  try {
    return /--type=(\S+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '))?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}

const file = process.argv[2] ?? '';
/** What this watch needs of a session: AppSession's, or the same over a profile on disk. */
interface Watched {
  readonly page: Page;
  readonly pageErrors: readonly string[];
  readonly consoleErrors: readonly string[];
  openApp(): Promise<unknown>;
  dropFile(path: string): Promise<void>;
  close(): Promise<void>;
}

async function onDisk(): Promise<Watched> {
  const server = await startPreview();
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'loyalty-lens-profile-')), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: 'zh-CN',
    serviceWorkers: 'block',
  });
  const page = await ctx.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => (m.type() === 'error' ? consoleErrors.push(m.text()) : undefined));
  return {
    page,
    pageErrors,
    consoleErrors,
    openApp: () => page.goto(server.url),
    dropFile: (path) => page.setInputFiles('[data-testid=file-input]', path),
    close: async () => {
      await ctx.close();
      await server.stop();
    },
  };
}

const session: Watched = process.argv.includes('--profile') ? await onDisk() : await AppSession.start({ isolate: process.argv.includes('--coi') });
const pss = new PssSampler();
const t0 = performance.now();
const everyAt = process.argv.indexOf('--every');
const everyMs = everyAt > 0 ? Number(process.argv[everyAt + 1]) * 1000 : 10_000;
const maps = process.argv.includes('--maps');
let cdp: CDPSession | null = null;
/** `Runtime.getHeapUsage`: the heap, and (Chromium 118+) the array buffers' and external strings' memory outside it. */
interface HeapUsage {
  readonly usedSize: number;
  readonly totalSize: number;
  readonly backingStorageSize?: number;
}
const mb = (bytes: number | undefined): string => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(0));
const heapText = (h: HeapUsage): string => `${mb(h.usedSize)} / ${mb(h.totalSize)} MB, array buffers ${mb(h.backingStorageSize)} MB`;
/** The page's workers (the engine's, the lifetime-value fit's), reached through the page's session. */
const workers = new Map<string, string>();
let messageId = 0;
async function workerHeap(sessionId: string): Promise<HeapUsage | null> {
  if (cdp === null) return null;
  const session = cdp;
  const id = ++messageId;
  return new Promise<HeapUsage | null>((resolve) => {
    const timer = setTimeout(() => done(null), 2000);
    const onMessage = (e: { sessionId: string; message: string }) => {
      const m = JSON.parse(e.message) as { id?: number; result?: HeapUsage };
      if (e.sessionId === sessionId && m.id === id) done(m.result ?? null);
    };
    const done = (h: HeapUsage | null) => {
      clearTimeout(timer);
      session.off('Target.receivedMessageFromTarget', onMessage);
      resolve(h);
    };
    session.on('Target.receivedMessageFromTarget', onMessage);
    void session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => done(null));
  });
}
/** The main thread's JavaScript heap and each worker's, one line each (with --heap). */
async function heapLine(): Promise<string> {
  if (cdp === null) return '';
  const h = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  const lines = [`\n     main-thread JS heap used ${heapText(h)}`];
  for (const [sessionId, name] of workers) {
    const w = await workerHeap(sessionId);
    if (w) lines.push(`\n     worker ${name}: JS heap used ${heapText(w)}`);
  }
  return lines.join('');
}
/** The largest Chromium process's mappings, one line (with --maps). */
function mapsLine(): string {
  if (!maps) return '';
  const all = mappingSplit(3);
  const [big] = all;
  if (!big) return '';
  const others = all.slice(1).map((p) => `${processType(p.pid)} ${p.pssMb.toFixed(0)}`);
  const parts = big.largest.map((m) => `${m.rssMb.toFixed(0)}/${m.sizeMb.toFixed(0)} ${m.name}`);
  return `\n     pid ${big.pid} PSS ${big.pssMb.toFixed(0)} MB: largest (rss/size MB) ${parts.join(', ')}; rest ${big.restRssMb.toFixed(0)}\n     other processes (PSS MB): ${others.join(', ')}`;
}
try {
  await session.openApp();
  if (process.argv.includes('--heap')) {
    cdp = await session.page.context().newCDPSession(session.page);
    // Workers come as targets of the page's session, spoken to through it (not flattened).
    cdp.on('Target.attachedToTarget', (e: { sessionId: string; targetInfo: { type: string; url: string } }) => {
      if (e.targetInfo.type === 'worker') workers.set(e.sessionId, e.targetInfo.url.split('/').pop() ?? e.targetInfo.url);
    });
    cdp.on('Target.detachedFromTarget', (e: { sessionId: string }) => workers.delete(e.sessionId));
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  }
  await session.page.locator('[data-testid=file-input]').waitFor({ state: 'attached', timeout: 120_000 });
  await session.dropFile(file);
  for (;;) {
    await session.page.waitForTimeout(everyMs);
    const state = await session.page.evaluate(() => ({
      report: document.querySelector('[data-testid=load-report]') !== null,
      error: document.querySelector('[data-testid=ingest-error]')?.textContent?.trim().slice(0, 300) ?? null,
      busy: document.querySelector('[data-testid=busy]')?.textContent?.trim().slice(0, 120) ?? null,
    })).catch((e: unknown) => ({ report: false, error: `page: ${String(e).slice(0, 200)}`, busy: null }));
    console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  peak PSS ${pss.peakMb()} MB  ${JSON.stringify(state)}${mapsLine()}${await heapLine()}`);
    if (state.report || state.error) break;
  }
  if (process.argv.includes('--continue') && (await session.page.locator('[data-testid=continue]').count()) > 0) {
    await session.page.locator('[data-testid=continue]').first().click();
    for (;;) {
      await session.page.waitForTimeout(everyMs);
      const state = await session.page
        .evaluate(() => ({
          drawn: document.querySelector('[data-testid=panel-overview] svg') !== null && document.querySelector('[data-testid=busy]') === null,
          error: document.querySelector('[role=alert]')?.textContent?.trim().slice(0, 300) ?? null,
          busy: document.querySelector('[data-testid=busy]')?.textContent?.trim().slice(0, 120) ?? null,
        }))
        .catch((e: unknown) => ({ drawn: false, error: `page: ${String(e).slice(0, 200)}`, busy: null }));
      console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  peak PSS ${pss.peakMb()} MB  ${JSON.stringify(state)}${mapsLine()}${await heapLine()}`);
      if (state.drawn || state.error) break;
    }
    const lingerAt = process.argv.indexOf('--linger');
    const lingerMs = lingerAt > 0 ? Number(process.argv[lingerAt + 1]) * 1000 : 0;
    for (let waited = 0; waited < lingerMs; waited += everyMs) {
      await session.page.waitForTimeout(everyMs);
      console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  peak PSS ${pss.peakMb()} MB  (after the paint)${mapsLine()}${await heapLine()}`);
    }
  }
  if (cdp !== null) {
    await cdp.send('HeapProfiler.collectGarbage');
    console.log(`after a forced collection:${mapsLine()}${await heapLine()}`);
  }
  const at = pss.peakByProcess().map((p) => `${processType(p.pid)} ${(p.kb / 1024).toFixed(0)}`);
  console.log(`peak PSS ${pss.peakMb()?.toFixed(0)} MB, by process (MB): ${at.join(', ')}`);
  console.log('page errors:', session.pageErrors.slice(0, 5), 'console errors:', session.consoleErrors.slice(0, 5));
} finally {
  pss.stop();
  await session.close();
}
