/**
 * Drives the production build in headless Chromium: `vite preview` on dist/, the system
 * Chromium through playwright-core, and a context that records (and aborts) every request
 * that leaves the page's origin. Used by test/e2e, test/real and test/bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { PANEL_IDS, type PanelId } from '../../src/lib/analyses/registry.ts';
import { startStaticServer } from './coi-server.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The production build under test: dist/, or LL_DIST when set (lets several builds coexist). */
export const DIST = process.env.LL_DIST ?? join(ROOT, 'dist');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'e2e');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The dashboard's tabs, in order: the panel registry's ids. */
export const PANELS = PANEL_IDS;
export type Panel = PanelId;

// ---------------------------------------------------------------- server

export interface PreviewServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vite preview did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Serves `outDir` (default dist/) with `vite preview`. Started as `node …/vite.js` so
 * that the recorded pid is vite's own and stopping it leaves nothing behind.
 */
export async function startPreview(options: { outDir?: string } = {}): Promise<PreviewServer> {
  const outDir = options.outDir ?? DIST;
  if (!existsSync(join(outDir, 'index.html'))) {
    throw new Error(`${outDir}/index.html is missing: run \`npm run build\` first (npm test does)`);
  }
  const port = await freePort();
  const args = [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'];
  args.push('--outDir', outDir);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BROWSER: 'none' } });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHttp(url, child, () => output, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: child.pid ?? -1, stop };
}

// ---------------------------------------------------------------- browser

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install chromium: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** True for URLs that never reach the network. */
function isLocalScheme(url: string): boolean {
  return /^(data|blob|about|chrome-extension|chrome):/i.test(url);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export interface SessionOptions {
  readonly outDir?: string;
  readonly locale?: string;
  /** Serve the build with COOP/COEP (coi-server.ts), so the page runs the threads engine (`coi`). */
  readonly isolate?: boolean;
  /** A script every page of the session runs before its own (`BrowserContext.addInitScript`). */
  readonly initScript?: string;
}

/**
 * One server and one browser; `openApp` starts a fresh context and page each time, so
 * each test sees only its own requests and errors.
 */
export class AppSession {
  /** Requests to another origin (recorded, then aborted). */
  readonly offOrigin: string[] = [];
  readonly consoleErrors: string[] = [];
  readonly pageErrors: string[] = [];
  /** Set when the page's renderer crashed (Playwright's operations then wait until they time out). */
  crashed = false;
  /** A DevTools session with the debugger on, opened with the page, for `diagnose`. */
  private debugger: CDPSession | null = null;
  private ctx: BrowserContext | null = null;
  private currentPage: Page | null = null;

  private constructor(
    readonly server: PreviewServer,
    readonly browser: Browser,
    private readonly locale: string,
    private readonly initScript: string | null = null,
  ) {}

  static async start(options: SessionOptions = {}): Promise<AppSession> {
    // Check the browser first: a missing Chromium should not leave a server running.
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`${CHROMIUM_PATH} not found: install chromium: apt-get install -y chromium`);
    }
    const server = options.isolate
      ? await startStaticServer(options.outDir ?? DIST, { isolate: true }).then((s) => ({ url: s.url, pid: process.pid, stop: () => s.stop() }))
      : await startPreview(options.outDir ? { outDir: options.outDir } : {});
    try {
      const browser = await launchChromium();
      return new AppSession(server, browser, options.locale ?? 'zh-CN', options.initScript ?? null);
    } catch (e) {
      await server.stop();
      throw e;
    }
  }

  get origin(): string {
    return new URL(this.server.url).origin;
  }

  get page(): Page {
    if (!this.currentPage) throw new Error('call openApp() first');
    return this.currentPage;
  }

  get context(): BrowserContext {
    if (!this.ctx) throw new Error('call openApp() first');
    return this.ctx;
  }

  /** Opens the app in a fresh context; `query` is appended as the URL's search, e.g. `demo`. */
  async openApp(query = ''): Promise<Page> {
    await this.ctx?.close();
    this.offOrigin.length = 0;
    this.consoleErrors.length = 0;
    this.pageErrors.length = 0;
    this.crashed = false;
    const ctx = await this.browser.newContext({ locale: this.locale, serviceWorkers: 'block' });
    const origin = this.origin;
    const leaves = (url: string): boolean => !isLocalScheme(url) && originOf(url) !== origin;
    const record = (url: string): void => {
      if (!this.offOrigin.includes(url)) this.offOrigin.push(url);
    };
    await ctx.route('**/*', async (route) => {
      const url = route.request().url();
      if (!leaves(url)) return route.continue();
      record(url);
      return route.abort('blockedbyclient');
    });
    // Requests that bypass routing (if any) are still seen here.
    ctx.on('request', (req) => {
      if (leaves(req.url())) record(req.url());
    });
    if (this.initScript !== null) await ctx.addInitScript(this.initScript);
    const page = await ctx.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => this.pageErrors.push(String(err)));
    page.on('crash', () => (this.crashed = true));
    this.debugger = await ctx.newCDPSession(page);
    await this.debugger.send('Debugger.enable');
    this.ctx = ctx;
    this.currentPage = page;
    const q = query === '' ? '' : query.startsWith('?') ? query : `?${query}`;
    await page.goto(this.server.url + q, { waitUntil: 'load' });
    return page;
  }

  /** Hands files to the sales file input, as a drop would. */
  async dropFile(path: string | readonly string[]): Promise<void> {
    await this.page.setInputFiles('[data-testid=file-input]', typeof path === 'string' ? path : [...path]);
  }

  async dropSurvey(path: string): Promise<void> {
    await this.page.setInputFiles('[data-testid=survey-input]', path);
  }

  /** The `data-value` of the first `[data-metric=id]` inside `scope`; null when empty/absent. */
  async readMetric(id: string, scope = 'body'): Promise<number | null> {
    const el = this.page.locator(`${scope} [data-metric="${id}"]`).first();
    if ((await el.count()) === 0) return null;
    const v = await el.getAttribute('data-value');
    if (v === null || v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }

  /**
   * Waits until a load finished and shows its report: a shared link or `?demo` goes straight
   * to the dashboard, whose "Data and load report" link then opens it (continue returns).
   */
  async waitForReport(timeoutMs = 90_000): Promise<void> {
    const report = this.page.locator('[data-testid=load-report]').first();
    const back = this.page.locator('[data-testid=open-load-report]').first();
    await report.or(back).waitFor({ state: 'visible', timeout: timeoutMs });
    if (!(await report.isVisible())) {
      await back.click();
      await report.waitFor({ state: 'visible', timeout: timeoutMs });
    }
    await this.waitIdle(timeoutMs);
  }

  /** Waits until a load finished and the dashboard shows (a link's view, straight after the load). */
  async waitForDashboard(timeoutMs = 90_000): Promise<void> {
    await this.page.locator('[data-testid=dashboard][aria-busy=false]').first().waitFor({ state: 'visible', timeout: timeoutMs });
    await this.waitIdle(timeoutMs);
  }

  async waitIdle(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('[data-testid=busy]').first().waitFor({ state: 'detached', timeout: timeoutMs });
  }

  async waitForError(timeoutMs = 30_000): Promise<{ code: string | null; text: string }> {
    const el = this.page.locator('[data-testid=ingest-error]').first();
    await el.waitFor({ state: 'visible', timeout: timeoutMs });
    return { code: await el.getAttribute('data-code'), text: (await el.innerText()).trim() };
  }

  /**
   * Waits until each panel shows a rendered chart (svg or canvas; a table where a panel has
   * no chart). Panels behind tabs are opened one by one, as a user would, since charts are
   * drawn only once they have a width.
   */
  async waitForPanels(panels: readonly Panel[] = PANELS, timeoutMs = 60_000): Promise<void> {
    for (const p of panels) {
      const tab = this.page.locator(`[data-testid=tab-${p}]`).first();
      if ((await tab.count()) > 0 && (await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
      // Drawn: a chart, or the panel's own word that it has nothing to draw (a model that refused, no mapped column).
      const panel = this.page.locator(`[data-testid=panel-${p}]`);
      await panel
        .locator('svg, canvas')
        .or(panel.locator('.ll-notice, [role=status]'))
        .first()
        .waitFor({ state: 'visible', timeout: timeoutMs });
    }
    await this.waitIdle(timeoutMs);
  }

  /**
   * What the page was doing when a test failed, for a failure that is a wait running out:
   * whether the renderer crashed, whether its main thread answers, and where its JavaScript
   * is (the debugger paused it: a script that never yields shows here), with the errors seen.
   */
  async diagnose(): Promise<string> {
    const page = this.currentPage;
    if (page === null) return 'no page open';
    const lines = [`url ${page.url()}`, `crashed ${this.crashed}`, `closed ${page.isClosed()}`];
    const within = <T,>(ms: number, p: Promise<T>): Promise<T | 'no answer'> =>
      Promise.race([p, new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), ms))]);
    if (!page.isClosed() && !this.crashed) {
      const state = await within(
        5000,
        page
          .evaluate(() => ({
            busy: document.querySelector('[data-testid=busy]')?.textContent?.trim() ?? null,
            status: [...document.querySelectorAll('[role=status], [role=alert]')].map((e) => e.textContent?.trim() ?? '').filter((t) => t !== '').slice(0, 8),
          }))
          .catch((e: unknown) => `evaluate failed: ${String(e)}`),
      );
      lines.push(`main thread: ${JSON.stringify(state)}`);
      // The debugger was enabled when the page opened: enabling it now would wait for the main thread.
      const cdp = this.debugger;
      if (cdp !== null) {
        const paused = new Promise<string>((resolve) => {
          cdp.once('Debugger.paused', (e) => {
            resolve(e.callFrames.slice(0, 20).map((f) => `  ${f.functionName || '(anonymous)'} ${f.url}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`).join('\n'));
          });
        });
        await within(5000, cdp.send('Debugger.pause')).catch(() => undefined);
        const stack = await within(5000, paused);
        lines.push(stack === 'no answer' ? 'JavaScript: not running (no pause within 5 s)' : `JavaScript paused at:\n${stack}`);
        await within(2000, cdp.send('Debugger.resume')).catch(() => undefined);
      }
    }
    lines.push(`page errors: ${JSON.stringify(this.pageErrors)}`, `console errors: ${JSON.stringify(this.consoleErrors.slice(-10))}`);
    return lines.join('\n');
  }

  async close(): Promise<void> {
    await this.ctx?.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
  }
}

/**
 * Registers beforeAll/afterAll hooks that start one session for the test file and stop it
 * afterwards; returns a getter for the running session.
 */
export function useApp(options: SessionOptions = {}): () => AppSession {
  let session: AppSession | null = null;
  beforeAll(async () => {
    session = await AppSession.start(options);
  });
  // A failed test writes what the page was doing to test-results/e2e-failures.txt (.ci/run prints it).
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      const report = await session?.diagnose().catch((e: unknown) => `diagnose failed: ${String(e)}`);
      const dir = join(ROOT, 'test-results');
      mkdirSync(dir, { recursive: true });
      appendFileSync(join(dir, 'e2e-failures.txt'), `\n== ${ctx.task.file.name} > ${ctx.task.name}\n${report ?? 'no session'}\n`);
    });
  });
  afterAll(async () => {
    await session?.close();
    session = null;
  });
  return () => {
    if (!session) throw new Error('the app session did not start (see the beforeAll error)');
    return session;
  };
}

/** Counts CJK ideographs, to tell the Chinese UI from the English one. */
export function hasCjk(text: string): boolean {
  return /[\u3400-\u9fff]/.test(text);
}

/** Switch the page to English and expect the error shown in Chinese (`zhText`) to be retold in English, same code. */
export async function expectErrorInEnglish(page: Page, zhText: string, code: string): Promise<void> {
  await page.locator('[data-testid=lang-switch]').click();
  const error = page.locator('[data-testid=ingest-error]').first();
  await expect.poll(async () => (await error.innerText()).trim()).not.toBe(zhText);
  const en = (await error.innerText()).trim();
  expect(hasCjk(en)).toBe(false);
  expect(en).toMatch(/[A-Za-z]{3}/);
  expect(await error.getAttribute('data-code')).toBe(code);
}
