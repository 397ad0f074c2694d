/**
 * Benchmark: the page in headless Chromium against native DuckDB and a plain-JS baseline.
 *
 *   npm run bench                 CSV at 100 k, 1 M and 5 M lines, Parquet and a formatted GB18030 export
 *                                 (files.ts: exportCsv) at 100 k and 1 M; writes docs/BENCHMARKS.md
 *   npm run bench -- --smoke      100 k CSV only, 2 runs after the first; writes .bench/BENCHMARKS-smoke.md
 *   npm run bench -- --large      adds Parquet at 5 M, and 10 M lines in both formats
 *   options: --runs N (measured runs after the first, default 3), --no-build, --no-parquet,
 *            --no-export, --no-xlsx, --sizes 100000,1000000 (Parquet, the export and the
 *            workbook then at every size given), --formats xlsx,csv (only those; writes
 *            .bench/BENCHMARKS-formats.md)
 *            --coi (the page served with COOP/COEP: duckdb-wasm's threads build), --memory (the
 *            page's database file held open first, so it keeps the data in memory as without
 *            OPFS: on --coi the only way it runs on more than one thread), --out-dir DIR (a
 *            build elsewhere than dist/, e.g. of another commit), --page-only (the
 *            page alone: no floor, native or plain-JS rows; with --coi or --formats it writes
 *            .bench/BENCHMARKS-formats.md, not docs/BENCHMARKS.md)
 *   .xlsx (files.ts: salesXlsx) runs at 100 k and 200 k: the writer builds a workbook whole.
 *
 * Any piece that is not there yet (page, ingest, analyses) is reported as "n/a" with the
 * reason, not as a crash.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import Papa from 'papaparse';
import { initSync } from 'parquet-wasm/esm';
import { DASHBOARD_PHASES, metricsOf, runDashboard, type DashboardPhase } from '../../src/lib/analyses/index.ts';
import { PANEL_REGISTRY } from '../../src/lib/analyses/registry.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import type { LoadReport } from '../../src/lib/ingest/types.ts';
import { mappedOf } from '../../src/lib/model/mapped.ts';
import type { Metrics } from '../../src/lib/model/metrics.ts';
import { DEFAULT_SETTINGS } from '../../src/lib/model/settings.ts';
import { AppSession, DIST, launchChromium, PANELS, ROOT, startPreview } from '../e2e/harness.ts';
import { BENCH_DIR, exportCsv, salesCsv, salesParquet, salesXlsx } from './files.ts';
import { appJsSize } from './js-size.ts';
import { PssSampler } from './pss.ts';
import { floorRun } from './floor.ts';


/** `export`: the same sales as a formatted GB18030 "Save as CSV" export (files.ts); `xlsx`: as a workbook. */
type Format = 'csv' | 'parquet' | 'export' | 'xlsx';
const FORMATS: readonly Format[] = ['csv', 'parquet', 'export', 'xlsx'];
/** Workbook sizes when none are given: write-excel-file builds the file whole in memory. */
const XLSX_SIZES: readonly number[] = [100_000, 200_000];

interface Args {
  readonly sizes: readonly number[];
  readonly formats: readonly Format[];
  /** Parquet and the export run at these sizes only (the 5 M Parquet run alone would take the bench past 20 minutes). */
  readonly parquetMax: number;
  readonly xlsxSizes: readonly number[];
  readonly runs: number;
  readonly build: boolean;
  readonly smoke: boolean;
  readonly coi: boolean;
  readonly memory: boolean;
  readonly outDir: string | null;
  readonly pageOnly: boolean;
  readonly argv: readonly string[];
}

function parseArgs(argv: readonly string[]): Args {
  const smoke = argv.includes('--smoke');
  const large = argv.includes('--large');
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Math.max(1, Number(argv[runsAt + 1] ?? 3)) : smoke ? 2 : 3;
  const sizesAt = argv.indexOf('--sizes');
  const sizes =
    sizesAt >= 0
      ? (argv[sizesAt + 1] ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0)
      : smoke
        ? [100_000]
        : large
          ? [100_000, 1_000_000, 5_000_000, 10_000_000]
          : [100_000, 1_000_000, 5_000_000];
  const parquet = argv.includes('--parquet') || (!smoke && !argv.includes('--no-parquet'));
  const formatsAt = argv.indexOf('--formats');
  const formats: Format[] =
    formatsAt >= 0
      ? FORMATS.filter((f) => (argv[formatsAt + 1] ?? '').split(',').includes(f))
      : [
          'csv',
          ...(parquet ? (['parquet'] as const) : []),
          ...(!smoke && !argv.includes('--no-export') ? (['export'] as const) : []),
          ...(!smoke && !argv.includes('--no-xlsx') ? (['xlsx'] as const) : []),
        ];
  const parquetMax = large || sizesAt >= 0 ? Infinity : 1_000_000;
  return { sizes, formats, parquetMax, xlsxSizes: sizesAt >= 0 ? sizes : XLSX_SIZES, runs, build: !argv.includes('--no-build'), smoke, coi: argv.includes('--coi'), memory: argv.includes('--memory'), outDir: argv.includes('--out-dir') ? (argv[argv.indexOf('--out-dir') + 1] ?? null) : null, pageOnly: argv.includes('--page-only'), argv };
}

/** Panels with a part the page runs when the panel is first opened. */
const DEFERRED_IDS = PANEL_REGISTRY.flatMap((p) => (p.deferred ? [p.id] : []));
/** The load's steps as the page tells them (`ingest.steps`, load.ts `LoadStep`). */
const INGEST_STEPS = ['prepare', 'raw', 'lines', 'finish'] as const;
type IngestStep = (typeof INGEST_STEPS)[number];
type DeferredId = (typeof DEFERRED_IDS)[number];

/** Holds the page's database file open, so the page keeps its data in memory (as when OPFS is unavailable). */
const HOLD_DEVICE_FILE = `navigator.storage?.getDirectory()
  .then((d) => d.getFileHandle('loyalty-lens.duckdb', { create: true }))
  .then((h) => h.createWritable())
  .then((w) => { window.__deviceLock = w; });`;

/** A measurement, or why it could not be taken. */
type Measured = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly why: string };
const na = (why: string): Measured => ({ ok: false, why });
const ms = (v: number): Measured => ({ ok: true, ms: v });

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]?.slice(0, 160) ?? text;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

// ---------------------------------------------------------------- data files

// ---------------------------------------------------------------- page (headless Chromium)

interface PageRun {
  readonly phases: Record<DashboardPhase, Measured>;
  /** The ingest split by step, and how the raw table was read (`ingest.via`). */
  readonly steps: Record<IngestStep, Measured>;
  readonly via: string | null;
  /** Each deferred part, run when its panel is first opened (read before the filter change). */
  readonly deferred: Record<DeferredId, Measured>;
  readonly engine: Measured;
  readonly ingest: Measured;
  readonly queries: Measured;
  /** Continue → the panel on screen (the first tab) drawn: the first run shows each panel as it is done. */
  readonly firstPanel: Measured;
  readonly panels: Measured;
  /** Filter change → the panel on screen (the first tab) drawn from the new result. */
  readonly filter: Measured;
  /** Filter change → the whole run done and drawn. */
  readonly filterAll: Measured;
  /** The write of the loaded tables to the device, which the page starts after the first paint. */
  readonly save: Measured;
  readonly peakPssMb: number | null;
  readonly rowsKept: number | null;
  /** `data-engine-bundle` and `data-engine-threads` of the page (e.g. "coi, 2 threads"). */
  readonly engineBundle: string | null;
}

type Timings = Record<string, number>;

/** Flattens `window.__loyaltyLens.timings` (whatever shape it has) into dotted numeric keys. */
async function pageTimings(session: AppSession): Promise<Timings> {
  const raw: unknown = await session.page.evaluate(() => {
    const w = window as unknown as { __loyaltyLens?: { timings?: unknown } };
    return JSON.parse(JSON.stringify(w.__loyaltyLens?.timings ?? null)) as unknown;
  });
  const out: Timings = {};
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === 'number' && Number.isFinite(v)) out[prefix] = v;
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k);
    }
  };
  walk(raw, '');
  return out;
}

function pick(t: Timings, keys: readonly string[]): number | null {
  for (const k of keys) {
    const v = t[k];
    if (v !== undefined) return v;
  }
  return null;
}

/** Marks the charts now in each panel, so a repaint can be told by their replacement. */
/**
 * Remembers the current dashboard result (its timings object, which the page publishes anew
 * with every result) and marks the panels' charts, before a change.
 */
async function markCharts(session: AppSession): Promise<void> {
  // tsx names functions with a helper the page does not have.
  await session.page.evaluate('globalThis.__name = (f) => f');
  await session.page.evaluate(() => {
    const w = window as unknown as { __loyaltyLens?: { timings?: { dashboard?: object } }; __benchResult?: object | null; __benchShown?: boolean };
    w.__benchResult = w.__loyaltyLens?.timings?.dashboard ?? null;
    const charts = (root: ParentNode) => root.querySelectorAll('svg, canvas');
    for (const el of document.querySelectorAll('[data-testid^=panel-]')) for (const c of charts(el)) c.setAttribute('data-bench-old', '1');
    // The panel on screen: marked as updating once the change starts (its charts marked again
    // then: they redraw with the previous result), then drawn from the change's result.
    w.__benchShown = false;
    let updating = false;
    const observer = new MutationObserver(() => {
      const shown = [...document.querySelectorAll<HTMLElement>('section[data-testid^=panel-]')].find((p) => p.offsetParent !== null);
      if (!shown) return;
      if (shown.getAttribute('aria-busy') === 'true') {
        updating = true;
        for (const c of charts(shown)) c.setAttribute('data-bench-old', '1');
      } else if (updating && shown.querySelector('svg:not([data-bench-old]), canvas:not([data-bench-old])') !== null) {
        w.__benchShown = true;
        observer.disconnect();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy'] });
  });
}

/** Waits until the panel on screen shows the change's result (`markCharts`' watch), then two frames. */
async function waitShownPanel(session: AppSession, timeoutMs: number): Promise<void> {
  await session.page.waitForFunction(() => (window as unknown as { __benchShown?: boolean }).__benchShown === true, undefined, {
    timeout: timeoutMs,
    polling: 'raf',
  });
  await session.page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * Waits until the change's run has finished and its result is drawn: a new result published,
 * the dashboard no longer busy, every visible panel with a chart drawn since the mark, then
 * two frames (the charts drawn from the new result). The panels redraw with the previous
 * result as soon as the filter changes (within ~0.2 s at 1 M lines), long before the run
 * ends: a new chart alone does not say the new numbers are shown.
 */
async function waitRepainted(session: AppSession, timeoutMs: number): Promise<void> {
  await session.page.waitForFunction(
    () => {
      const w = window as unknown as { __loyaltyLens?: { timings?: { dashboard?: object } }; __benchResult?: object | null };
      const result = w.__loyaltyLens?.timings?.dashboard ?? null;
      if (result === null || result === w.__benchResult) return false;
      if (document.querySelector('[data-testid=dashboard][aria-busy=true]') !== null) return false;
      const panels = [...document.querySelectorAll('[data-testid^=panel-]')].filter(
        (p) => (p as HTMLElement).offsetParent !== null,
      );
      return (
        panels.length > 0 &&
        document.querySelector('[data-testid=busy]') === null &&
        panels.every((p) => p.querySelector('svg:not([data-bench-old]), canvas:not([data-bench-old])') !== null)
      );
    },
    undefined,
    { timeout: timeoutMs, polling: 'raf' },
  );
  await session.page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * Changes one dimension filter through the UI (ticks the first value of the first
 * dimension in `[data-testid=filters]`); false when the page offers none.
 */
async function changeFilter(session: AppSession): Promise<boolean> {
  const filters = session.page.locator('[data-testid=filters]').first();
  if ((await filters.count()) === 0) return false;
  const box = filters.locator('input[type=checkbox]').first();
  if ((await box.count()) === 0) return false;
  const details = filters.locator('details').first();
  if ((await details.count()) > 0) await details.locator('summary').first().click();
  await box.click();
  return true;
}

async function pageRun(session: AppSession, file: string, timeoutMs: number, pss: PssSampler): Promise<PageRun> {
  pss.reset();
  const tOpen = performance.now();
  await session.openApp();
  await session.page.locator('[data-testid=file-input]').waitFor({ state: 'attached', timeout: timeoutMs });
  const firstScreen = performance.now() - tOpen;

  const drop = await timed(async () => {
    await session.dropFile(file);
    await session.waitForReport(timeoutMs);
  });
  const rowsKept = await session.readMetric('rows_kept', '[data-testid=load-report]');

  let panels: Measured = na('no continue button');
  let firstPanel: Measured = panels;
  const cont = session.page.locator('[data-testid=continue]').first();
  if ((await cont.count()) > 0) {
    const t0 = performance.now();
    try {
      await cont.click();
      await session.page.locator(`[data-testid=panel-${PANELS[0]}] svg`).first().waitFor({ state: 'visible', timeout: timeoutMs });
      firstPanel = ms(performance.now() - t0);
    } catch (e) {
      firstPanel = na(messageOf(e));
    }
    try {
      await session.waitForPanels(PANELS, timeoutMs);
      panels = ms(performance.now() - t0);
    } catch (e) {
      panels = na(messageOf(e));
    }
  }

  // The page writes the data to the device once the panels are drawn; the filter change is
  // measured after that write, as the steady state (during it, the change waits for it).
  let save: Measured = na('no storage indicator');
  if (panels.ok) {
    try {
      const indicator = session.page.locator('[data-testid=storage-indicator]:not([data-state=saving])').first();
      await indicator.waitFor({ state: 'attached', timeout: timeoutMs });
      const state = await indicator.getAttribute('data-state');
      const took = pick(await pageTimings(session), ['save']);
      save = state === 'stored' && took !== null ? ms(took) : na(`not stored on the device (indicator: ${state ?? 'none'})`);
    } catch (e) {
      save = na(messageOf(e));
    }
  }

  const painted = await pageTimings(session);
  const deferred = Object.fromEntries(
    DEFERRED_IDS.map((k) => {
      const v = pick(painted, [`dashboard.deferred.${k}`]);
      return [k, v === null ? na(`window.__loyaltyLens.timings has no dashboard.deferred.${k}`) : ms(v)];
    }),
  ) as Record<DeferredId, Measured>;

  let filter: Measured = na('no dimension filter in [data-testid=filters]');
  let filterAll: Measured = filter;
  if (panels.ok) {
    try {
      // The change is made on the first tab (the overview), where a user starts.
      await session.waitForPanels(PANELS.slice(0, 1), timeoutMs);
      await markCharts(session);
      const t0 = performance.now();
      if (await changeFilter(session)) {
        await waitShownPanel(session, timeoutMs);
        filter = ms(performance.now() - t0);
        await waitRepainted(session, timeoutMs);
        filterAll = ms(performance.now() - t0);
      }
    } catch (e) {
      filter = filter.ok ? filter : na(messageOf(e));
      filterAll = na(messageOf(e));
    }
  }

  const engineBundle = await session.page
    .evaluate(() => {
      const d = document.documentElement.dataset;
      return d.engineBundle ? `${d.engineBundle}${d.engineCoiError ? ` (coi failed: ${d.engineCoiError})` : ''}` : null;
    })
    .catch(() => null);
  // The load's and the first run's timings: the filter change's run has published its own since.
  const t = painted;
  const engine = pick(t, ['engine.total', 'engine', 'engineStart', 'engine_ms']);
  const ingest = pick(t, ['ingest.total', 'ingest', 'load', 'load.total', 'load.millis']);
  const queries = pick(t, ['dashboard.total', 'dashboard', 'queries', 'analyses', 'dashboard.millis']);
  const phases = Object.fromEntries(
    DASHBOARD_PHASES.map((k) => {
      const v = pick(t, [`dashboard.${k}`]);
      return [k, v === null ? na(`window.__loyaltyLens.timings has no dashboard.${k}`) : ms(v)];
    }),
  ) as Record<DashboardPhase, Measured>;
  const steps = Object.fromEntries(
    INGEST_STEPS.map((k) => {
      const v = pick(t, [`ingest.steps.${k}`]);
      return [k, v === null ? na(`window.__loyaltyLens.timings has no ingest.steps.${k}`) : ms(v)];
    }),
  ) as Record<IngestStep, Measured>;
  const via = await session.page
    .evaluate(() => (window as unknown as { __loyaltyLens?: { timings?: { ingest?: { via?: string[] } } } }).__loyaltyLens?.timings?.ingest?.via?.join(', ') ?? null)
    .catch(() => null);
  return {
    phases,
    steps,
    via,
    deferred,
    engine: engine !== null ? ms(engine) : na(`window.__loyaltyLens.timings has no engine entry (first screen ${Math.round(firstScreen)} ms)`),
    ingest: ms(ingest ?? drop.ms),
    queries: queries !== null ? ms(queries) : na('window.__loyaltyLens.timings has no dashboard entry'),
    firstPanel,
    panels,
    filter,
    filterAll,
    save,
    peakPssMb: pss.peakMb(),
    rowsKept,
    engineBundle,
  };
}

/**
 * Page open → engine ready with the browser's cache warm, as a returning user opens the
 * page: one context (no request interception, which would turn the HTTP cache off), a first
 * visit, then `runs` reloads. The time is the engine's `readyAt`, in ms since navigation.
 */
async function cachedEngineStart(runs: number): Promise<Series> {
  const series = newSeries();
  const server = await startPreview();
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    for (let run = 0; run <= runs; run++) {
      if (run === 0) await page.goto(server.url, { waitUntil: 'load' });
      else await page.reload({ waitUntil: 'load' });
      const readyAt = await page
        .waitForFunction(
          () => (window as unknown as { __loyaltyLens?: { timings?: { engine?: { readyAt?: number } } } }).__loyaltyLens?.timings?.engine?.readyAt ?? null,
          null,
          { timeout: 120_000 },
        )
        .then((h) => h.jsonValue());
      push(series, typeof readyAt === 'number' ? ms(readyAt) : na('no engine.readyAt'), run === 0);
      // Let the first visit finish installing the service worker (it caches the app and the
      // engine), and the engine settle (V8 writes its code cache after compiling), before reloading.
      if (run === 0) await page.evaluate(() => navigator.serviceWorker?.ready.then(() => true)).catch(() => false);
      await page.waitForTimeout(3000);
    }
    await ctx.close();
  } catch (e) {
    push(series, na(messageOf(e)), series.first.ok === false && series.rest.length === 0);
  } finally {
    await browser.close();
    await server.stop();
  }
  return series;
}

// ---------------------------------------------------------------- native DuckDB

interface NativeRun {
  readonly ingest: Measured;
  readonly queries: Measured;
  readonly metrics: Pick<Metrics, 'customers' | 'top20_share' | 'repurchase_rate'> | null;
}

function parquetInit(): void {
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
}

/** The page's ingest and analyses on native DuckDB (`@duckdb/node-api`). */
async function nativeRun(file: string, threads: number): Promise<NativeRun> {
  const db = await NodeDb.open({ threads });
  try {
    const input = { name: basename(file), bytes: new Uint8Array(readFileSync(file)) };
    let report: LoadReport;
    const t0 = performance.now();
    try {
      report = await loadDataset(db, [input], { parquetInit });
    } catch (e) {
      return { ingest: na(messageOf(e)), queries: na('ingest failed'), metrics: null };
    }
    const ingest = ms(performance.now() - t0);
    try {
      const run = await timed(() => runDashboard(db, DEFAULT_SETTINGS, mappedOf(report)));
      const m = metricsOf(run.value, report);
      return {
        ingest,
        queries: ms(run.ms),
        metrics: { customers: m.customers, top20_share: m.top20_share, repurchase_rate: m.repurchase_rate },
      };
    } catch (e) {
      return { ingest, queries: na(messageOf(e)), metrics: null };
    }
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------- plain JS baseline

export interface JsBaseline {
  readonly customers: number;
  readonly top20Share: number | null;
  readonly repurchaseRate: number;
}

/**
 * PapaParse + Map group-by: customer value, purchase orders per customer (METRICS.md §1:
 * an order is a customer's lines with one order id, a purchase order has net ≥ 0).
 */
export async function jsBaseline(file: string): Promise<JsBaseline> {
  const value = new Map<string, number>();
  const orderNet = new Map<string, number>();
  const orderCustomer = new Map<string, string>();
  let header = true;
  await new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(createReadStream(file, { encoding: 'utf8' }), {
      skipEmptyLines: true,
      chunk: (res) => {
        for (const row of res.data) {
          if (header) {
            header = false;
            continue;
          }
          const customer = (row[1] ?? '').trim();
          const amount = Number(row[9]);
          if (customer === '' || !Number.isFinite(amount)) continue;
          value.set(customer, (value.get(customer) ?? 0) + amount);
          const key = `${customer}\u0000${row[0] ?? ''}`;
          orderNet.set(key, (orderNet.get(key) ?? 0) + amount);
          orderCustomer.set(key, customer);
        }
      },
      complete: () => resolve(),
      error: (e: Error) => reject(e),
    });
  });
  const purchases = new Map<string, number>();
  for (const [key, net] of orderNet) {
    if (net < 0) continue;
    const c = orderCustomer.get(key) ?? '';
    purchases.set(c, (purchases.get(c) ?? 0) + 1);
  }
  const values = [...purchases.keys()].map((c) => value.get(c) ?? 0).sort((a, b) => b - a);
  const total = values.reduce((s, v) => s + v, 0);
  const top = values.slice(0, Math.ceil(0.2 * values.length)).reduce((s, v) => s + v, 0);
  let repeat = 0;
  for (const n of purchases.values()) if (n >= 2) repeat++;
  return {
    customers: purchases.size,
    top20Share: total > 0 ? top / total : null,
    repurchaseRate: purchases.size ? repeat / purchases.size : 0,
  };
}

// ---------------------------------------------------------------- statistics and report

interface Series {
  first: Measured;
  rest: Measured[];
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function medianOf(series: Series): number | null {
  const oks = series.rest.flatMap((m) => (m.ok ? [m.ms] : []));
  return median(oks);
}

function whyNot(series: Series): string {
  const bad = [series.first, ...series.rest].find((m) => !m.ok);
  return bad && !bad.ok ? bad.why : '';
}

const fmt = (v: number | null): string => (v === null ? 'n/a' : v >= 100 ? String(Math.round(v)) : v.toFixed(1));
const fmtRatio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? 'n/a' : (a / b).toFixed(2));
/** The median, marked with how many runs it rests on when some runs failed. */
const cell = (s: Series): string => {
  const m = medianOf(s);
  if (m === null) return 'n/a';
  const ok = s.rest.filter((x) => x.ok).length;
  return ok < s.rest.length ? `${fmt(m)} (n=${ok})` : fmt(m);
};
const firstCell = (s: Series): string => (s.first.ok ? fmt(s.first.ms) : 'n/a');

function sizeLabel(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000} M` : `${n / 1000} k`;
}

const caseLabel = (r: SizeResult): string => `${sizeLabel(r.lines)} ${r.format === 'export' ? 'csv export' : r.format}`;

interface SizeResult {
  readonly lines: number;
  readonly format: Format;
  readonly fileMb: number;
  readonly page: Record<'engine' | 'ingest' | 'queries' | 'firstPanel' | 'panels' | 'filter' | 'filterAll' | 'save', Series>;
  readonly phases: Record<DashboardPhase, Series>;
  readonly steps: Record<IngestStep, Series>;
  via: string | null;
  readonly deferred: Record<DeferredId, Series>;
  readonly pssMb: (number | null)[];
  readonly native1: Record<'ingest' | 'queries', Series>;
  readonly nativeAll: Record<'ingest' | 'queries', Series>;
  readonly js: Series;
  /** The page's engine reading the file with read_csv into a table, nothing else. */
  readonly floor: Series;
  jsCheck: JsBaseline | null;
  nativeCheck: NativeRun['metrics'];
  rowsKept: number | null;
  engineBundle: string | null;
}

const PAGE_MEASURES = ['engine', 'ingest', 'queries', 'firstPanel', 'panels', 'filter', 'filterAll', 'save'] as const;

const newSeries = (): Series => ({ first: na('not run'), rest: [] });
const push = (s: Series, m: Measured, isFirst: boolean): void => {
  if (isFirst) s.first = m;
  else s.rest.push(m);
};

function sumMedians(...xs: (number | null)[]): number | null {
  return xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0);
}

function chromiumVersion(): string {
  try {
    return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'n/a';
  }
}

const LOAD_AT_START = loadavg()[0] ?? 0;

function report(results: readonly SizeResult[], args: Args, notes: readonly string[], engineCached: Series, minutes: number): string {
  const cpu = cpus();
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(
    `Generated by \`npm run bench${args.argv.length ? ` -- ${args.argv.join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}. ` +
      `Median of ${args.runs} runs after a first run (shown separately); times in ms, memory in MB. ` +
      `The whole run took ${minutes.toFixed(1)} minutes.`,
    '',
  );
  lines.push('## Machine', '');
  lines.push(`- CPU: ${cpu[0]?.model ?? 'n/a'}, ${cpu.length} cores`);
  lines.push(`- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  lines.push(`- node ${process.version}; ${chromiumVersion()}`);
  const loadAtEnd = loadavg()[0] ?? 0;
  lines.push(
    `- 1-minute load average at start / end: ${LOAD_AT_START.toFixed(1)} / ${loadAtEnd.toFixed(1)}` +
      (Math.max(LOAD_AT_START, loadAtEnd) > cpu.length ? ' (above the core count: other work shared the CPU and the times are inflated)' : ''),
  );
  const kb = appJsSize(DIST);
  lines.push(
    `- application JS (dist/assets/*.js without the duckdb workers), gzipped: ` +
      (kb === null ? 'n/a' : `${kb.atStart.toFixed(1)} KiB loaded before the first screen, ${kb.all.toFixed(1)} KiB in all (with the chunks loaded on demand: the dashboard, fetched once the first screen is up, and the xlsx and Parquet readers and writers)`),
  );
  lines.push(
    `- page open → engine ready, cached (a reload in the same browser, HTTP cache warm): ${cell(engineCached)} ms; ` +
      `first visit ${firstCell(engineCached)} ms. The "engine start" column below is a cold start: each run opens a fresh context.`,
  );
  lines.push('');
  const bundles = [...new Set(results.map((r) => r.engineBundle).filter((b): b is string => b !== null))];
  lines.push(`## The page (headless Chromium, duckdb-wasm ${bundles.length ? bundles.join(', ') : args.coi ? 'coi' : 'eh'}${args.memory ? ', data kept in memory' : ''})`, '');
  lines.push('| lines | file MB | engine start | ingest (file → report) | panel queries | continue → panel on screen / every panel painted | written to the device, after the paint | filter → panel on screen / every panel | peak PSS MB | first run ingest / panels |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const pss = median(r.pssMb.filter((x): x is number => x !== null));
    lines.push(
      `| ${caseLabel(r)} | ${r.fileMb.toFixed(0)} | ${cell(r.page.engine)} | ${cell(r.page.ingest)} | ${cell(r.page.queries)} | ${cell(r.page.firstPanel)} / ${cell(r.page.panels)} | ${cell(r.page.save)} | ${cell(r.page.filter)} / ${cell(r.page.filterAll)} | ${fmt(pss)} | ${firstCell(r.page.ingest)} / ${firstCell(r.page.panels)} |`,
    );
  }
  lines.push('');
  lines.push(
    '"ingest" split by the load\'s steps (summed over files): prepare = the file read, decoded and inspected; raw = its raw table made, by the engine\'s own read of the file or from chunks of normalized text ("read by"); lines = the cleaning rules into the staged lines; finish = the tables swapped in:',
    '',
  );
  lines.push(`| lines | read by | ${INGEST_STEPS.join(' | ')} |`);
  lines.push(`|---|---|${INGEST_STEPS.map(() => '---').join('|')}|`);
  for (const r of results) lines.push(`| ${caseLabel(r)} | ${r.via ?? 'n/a'} | ${INGEST_STEPS.map((k) => cell(r.steps[k])).join(' | ')} |`);
  lines.push('');
  lines.push('"panel queries" is the dashboard run: the canonical tables (orders, customers and the rankings, for the filters) and every panel\'s queries, split here:', '');
  lines.push(`| lines | ${DASHBOARD_PHASES.join(' | ')} |`);
  lines.push(`|---|${DASHBOARD_PHASES.map(() => '---').join('|')}|`);
  for (const r of results) lines.push(`| ${caseLabel(r)} | ${DASHBOARD_PHASES.map((k) => cell(r.phases[k])).join(' | ')} |`);
  lines.push('');
  if (DEFERRED_IDS.length > 0) {
    lines.push(
      'Not in the run: the parts only a panel\'s own tab shows, which the page runs when the tab is first opened (with its progress bar), after the first paint; the report and `analyze` run them with the rest:',
      '',
    );
    lines.push(`| lines | ${DEFERRED_IDS.join(' | ')} |`);
    lines.push(`|---|${DEFERRED_IDS.map(() => '---').join('|')}|`);
    for (const r of results) lines.push(`| ${caseLabel(r)} | ${DEFERRED_IDS.map((k) => cell(r.deferred[k])).join(' | ')} |`);
    lines.push('');
  }
  lines.push('## Same ingest and SQL elsewhere', '');
  lines.push('| lines | native 1 thread: ingest / queries | native all threads: ingest / queries | plain JS (PapaParse + Map) | floor: the page\'s read_csv | ours ÷ native-1t | ours ÷ native-all | ours ÷ floor | JS ÷ ours |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const ours = sumMedians(medianOf(r.page.ingest), medianOf(r.page.queries) ?? medianOf(r.page.panels));
    const n1 = sumMedians(medianOf(r.native1.ingest), medianOf(r.native1.queries));
    const nAll = sumMedians(medianOf(r.nativeAll.ingest), medianOf(r.nativeAll.queries));
    lines.push(
      `| ${caseLabel(r)} | ${cell(r.native1.ingest)} / ${cell(r.native1.queries)} | ${cell(r.nativeAll.ingest)} / ${cell(r.nativeAll.queries)} | ${cell(r.js)} | ${cell(r.floor)} | ${fmtRatio(ours, n1)} | ${fmtRatio(ours, nAll)} | ${fmtRatio(ours, medianOf(r.floor))} | ${fmtRatio(medianOf(r.js), ours)} |`,
    );
  }
  lines.push('');
  lines.push(
    '"ours" = page ingest + panel queries (the page\'s own timings when it exposes them, else the time until all panels are painted); the write to the device, which the page does after the paint, is not in it (its own column above). ' +
      '"floor" = the same page\'s DuckDB (the built eh worker and wasm, in the same browser) reading the same file with a plain `read_csv` into a table and nothing else: no decoding, checks, canonical tables or analyses. ' +
      'Ratios compare medians; n/a where a piece did not run.',
    '',
  );
  if (results.some((r) => r.format === 'xlsx')) {
    lines.push(
      '"xlsx" is the same sales as an Excel workbook written by write-excel-file: one sheet, ids and text as shared strings, the order time as an Excel date, numbers as numbers.',
      '',
    );
  }
  if (results.some((r) => r.format === 'export')) {
    lines.push(
      '"csv export" is the same sales as a formatted GB18030 "Save as CSV" export: a title line, times as `2023/12/12 22:44`, money as `￥1,234.50`, ' +
        'every 40th customer id padded with spaces, a 合计 line. Its records take the full cleaning rules, where the plain file\'s take direct casts.',
      '',
    );
  }
  const why = new Set<string>(notes);
  for (const r of results) {
    for (const [label, s] of [
      ['page engine', r.page.engine],
      ['page ingest', r.page.ingest],
      ['page queries', r.page.queries],
      ['page panel on screen', r.page.firstPanel],
      ['page panels', r.page.panels],
      ['page filter', r.page.filter],
      ['page filter, every panel', r.page.filterAll],
      ['page save', r.page.save],
      ['native ingest', r.native1.ingest],
      ['native queries', r.native1.queries],
      ['JS baseline', r.js],
      ['floor', r.floor],
    ] as const) {
      const w = whyNot(s);
      if (w) why.add(`${label}: ${w}`);
    }
    const js = r.jsCheck
      ? `JS baseline: ${r.jsCheck.customers} customers, top20_share ${r.jsCheck.top20Share?.toFixed(4) ?? 'n/a'}, repurchase_rate ${r.jsCheck.repurchaseRate.toFixed(4)}; `
      : '';
    const native = r.nativeCheck
      ? `native: ${r.nativeCheck.customers ?? 'n/a'} customers, top20_share ${r.nativeCheck.top20_share?.toFixed(4) ?? 'n/a'}, ` +
        `repurchase_rate ${r.nativeCheck.repurchase_rate?.toFixed(4) ?? 'n/a'}; `
      : '';
    why.add(`${caseLabel(r)}: ${js}${native}page rows_kept ${r.rowsKept ?? 'n/a'}`);
  }
  if (why.size) {
    lines.push('## Notes', '');
    for (const w of why) lines.push(`- ${w}`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const notes: string[] = [];
  const started = performance.now();
  console.log(`== benchmark: ${args.sizes.map(sizeLabel).join(', ')} lines, ${args.runs} runs + first`);

  if (args.build) {
    console.log('== building the page');
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    } catch (e) {
      notes.push(`build failed: ${messageOf(e)}`);
    }
  }

  console.log('== page open → engine ready, cached');
  const engineCached = await cachedEngineStart(args.runs);
  console.log(`   median ${cell(engineCached)} ms, first visit ${firstCell(engineCached)} ms`);

  let session: AppSession | null = null;
  try {
    session = await AppSession.start({
      isolate: args.coi,
      ...(args.outDir ? { outDir: args.outDir } : {}),
      ...(args.memory ? { initScript: HOLD_DEVICE_FILE } : {}),
    });
  } catch (e) {
    notes.push(`page not run: ${messageOf(e)}`);
  }
  const pss = new PssSampler();

  const results: SizeResult[] = [];
  try {
    const cases = [
      ...args.sizes.flatMap((n) => args.formats.filter((f) => f === 'csv' || (f !== 'xlsx' && n <= args.parquetMax)).map((f) => [n, f] as const)),
      ...(args.formats.includes('xlsx') ? args.xlsxSizes.map((n) => [n, 'xlsx'] as const) : []),
    ];
    for (const [lines, format] of cases) {
      const tGen = performance.now();
      const file =
        format === 'csv'
          ? await salesCsv(lines)
          : format === 'parquet'
            ? await salesParquet(lines)
            : format === 'xlsx'
              ? await salesXlsx(lines)
              : await exportCsv(lines);
      const fileMb = statSync(file).size / 2 ** 20;
      console.log(`== ${sizeLabel(lines)} lines, ${format}: ${file} (${fileMb.toFixed(0)} MB, ready in ${Math.round(performance.now() - tGen)} ms)`);
      const timeoutMs = Math.max(120_000, lines / 5);
      const r: SizeResult = {
        lines,
        format,
        fileMb,
        page: { engine: newSeries(), ingest: newSeries(), queries: newSeries(), firstPanel: newSeries(), panels: newSeries(), filter: newSeries(), filterAll: newSeries(), save: newSeries() },
        phases: Object.fromEntries(DASHBOARD_PHASES.map((k) => [k, newSeries()])) as Record<DashboardPhase, Series>,
        steps: Object.fromEntries(INGEST_STEPS.map((k) => [k, newSeries()])) as Record<IngestStep, Series>,
        via: null,
        deferred: Object.fromEntries(DEFERRED_IDS.map((k) => [k, newSeries()])) as Record<DeferredId, Series>,
        pssMb: [],
        native1: { ingest: newSeries(), queries: newSeries() },
        nativeAll: { ingest: newSeries(), queries: newSeries() },
        js: newSeries(),
        floor: newSeries(),
        jsCheck: null,
        nativeCheck: null,
        rowsKept: null,
        engineBundle: null,
      };
      for (let run = 0; run <= args.runs; run++) {
        const first = run === 0;
        if (session) {
          try {
            const p = await pageRun(session, file, timeoutMs, pss);
            for (const k of PAGE_MEASURES) push(r.page[k], p[k], first);
            for (const k of DASHBOARD_PHASES) push(r.phases[k], p.phases[k], first);
            for (const k of INGEST_STEPS) push(r.steps[k], p.steps[k], first);
            r.via = p.via ?? r.via;
            for (const k of DEFERRED_IDS) push(r.deferred[k], p.deferred[k], first);
            if (!first) r.pssMb.push(p.peakPssMb);
            r.rowsKept = p.rowsKept;
            r.engineBundle = p.engineBundle ?? r.engineBundle;
          } catch (e) {
            const m = na(messageOf(e));
            for (const k of PAGE_MEASURES) push(r.page[k], m, first);
          }
        } else {
          for (const k of PAGE_MEASURES) push(r.page[k], na('no page session'), first);
        }
        if (args.pageOnly) {
          for (const x of [r.floor, r.native1.ingest, r.native1.queries, r.nativeAll.ingest, r.nativeAll.queries, r.js]) push(x, na('--page-only'), first);
        } else if (session && format === 'csv') {
          push(r.floor, await floorRun(session.server.url, file, args.outDir ?? DIST).then(ms, (e: unknown) => na(messageOf(e))), first);
        } else push(r.floor, na(session ? 'the floor is a plain read_csv: UTF-8 text files only' : 'no page session'), first);
        if (!args.pageOnly) {
          const n1 = await nativeRun(file, 1);
          push(r.native1.ingest, n1.ingest, first);
          push(r.native1.queries, n1.queries, first);
          r.nativeCheck = n1.metrics ?? r.nativeCheck;
          const nAll = await nativeRun(file, cpus().length);
          push(r.nativeAll.ingest, nAll.ingest, first);
          push(r.nativeAll.queries, nAll.queries, first);
          if (format !== 'csv') push(r.js, na('the JS baseline reads the plain CSV only'), first);
          else {
            try {
              const j = await timed(() => jsBaseline(file));
              push(r.js, ms(j.ms), first);
              r.jsCheck = j.value;
            } catch (e) {
              push(r.js, na(messageOf(e)), first);
            }
          }
        }
        const shown = (x: Series): string => {
          const m = first ? x.first : x.rest.at(-1);
          return m?.ok ? `${fmt(m.ms)} ms` : 'n/a';
        };
        console.log(
          `   run ${first ? 'first' : run}: page ingest ${shown(r.page.ingest)}, panel on screen ${shown(r.page.firstPanel)}, panels ${shown(r.page.panels)}; ` +
            `native-1t ingest ${shown(r.native1.ingest)}; JS ${shown(r.js)}`,
        );
      }
      results.push(r);
    }
  } finally {
    pss.stop();
    await session?.close();
  }

  const md = report(results, args, notes, engineCached, (performance.now() - started) / 60_000);
  console.log('\n' + md);
  // A run of some formats only is not the benchmark: it does not replace docs/BENCHMARKS.md.
  const target = args.smoke
    ? join(BENCH_DIR, 'BENCHMARKS-smoke.md')
    : args.argv.includes('--formats') || args.coi || args.memory || args.outDir !== null || args.pageOnly
      ? join(BENCH_DIR, 'BENCHMARKS-formats.md')
      : join(ROOT, 'docs', 'BENCHMARKS.md');
  await mkdir(BENCH_DIR, { recursive: true });
  await writeFile(target, md + '\n');
  await writeFile(join(BENCH_DIR, 'results.json'), JSON.stringify(results, null, 2));
  console.log(`== wrote ${target} in ${Math.round((performance.now() - started) / 1000)} s`);
  if (args.smoke) {
    // The smoke is CI's check that every side of the comparison still runs.
    const missing = results.flatMap((r) =>
      ([['page ingest', r.page.ingest], ['page panel on screen', r.page.firstPanel], ['page panels', r.page.panels], ['floor', r.floor], ['native 1 thread ingest', r.native1.ingest]] as const).flatMap(
        ([name, s]) => [s.first, ...s.rest].filter((m) => !m.ok).map((m) => `${caseLabel(r)}: ${name}: ${m.ok ? '' : m.why}`),
      ),
    );
    if (missing.length > 0) throw new Error(`the smoke did not measure everything:\n${missing.join('\n')}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
