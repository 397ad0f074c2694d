/**
 * Memory of big exports in the real page: loads an N-line sales file (default 5 M) through
 * the UI of the production build, then exports `lines` as CSV, XLSX and Parquet through the
 * export menu while sampling the PSS of the whole Chromium process tree every 200 ms.
 *
 *   npx tsx test/bench/export-memory.ts [--lines 5000000] [--out file.md] [--save picker|download|both]
 *                                       [--formats csv,xlsx,parquet] [--dist dir] [--no-build]
 *
 * The browser runs with a profile on disk (as a user's does, not an incognito context), so
 * Blob storage can page to disk and the File System Access API writes to real files.
 * `--save picker`: `showSaveFilePicker` is answered with a file in the origin-private file
 * system (a real FileSystemWritableFileStream; headless Chromium would cancel the dialog).
 * `--save download`: the picker is removed, as in browsers without it, so the page falls
 * back to a Blob download. Exported files are checked: rows counted and the amount summed by
 * native DuckDB, against the rows the page kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { literal, sql } from '../../src/lib/db/sql.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ROOT, startPreview } from '../e2e/harness.ts';
import { salesParquet } from './files.ts';
import { chromiumTree, pssKb } from './pss.ts';

const SAMPLE_MS = 200;
const MB = 1024 * 1024;

type Format = 'csv' | 'xlsx' | 'parquet';
type Save = 'picker' | 'download';

interface Args {
  readonly lines: number;
  readonly out: string | null;
  readonly saves: readonly Save[];
  readonly formats: readonly Format[];
  readonly dist: string | null;
  readonly build: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const lines = Number(value('--lines') ?? 5_000_000);
  if (!Number.isInteger(lines) || lines <= 0) throw new Error(`--lines: not a positive integer`);
  const save = value('--save') ?? 'both';
  const saves: Save[] = save === 'both' ? ['picker', 'download'] : save === 'picker' || save === 'download' ? [save] : [];
  if (saves.length === 0) throw new Error(`--save: picker, download or both`);
  const formats = (value('--formats') ?? 'csv,xlsx,parquet').split(',').filter((f): f is Format => f === 'csv' || f === 'xlsx' || f === 'parquet');
  return { lines, out: value('--out') ?? null, saves, formats, dist: value('--dist') ?? null, build: !argv.includes('--no-build') };
}

// ---------------------------------------------------------------- data file (shared with run.ts's cache)

// ---------------------------------------------------------------- memory and CPU of the Chromium tree

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}

function processKind(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}

interface Sample {
  readonly at: number;
  readonly totalMb: number;
  readonly byKind: Readonly<Record<string, number>>;
}

/** PSS of every Chromium process below this one, summed, every `SAMPLE_MS`. */
class TreeSampler {
  readonly samples: Sample[] = [];
  private pids: number[] = [];
  private tick = 0;
  private timer: NodeJS.Timeout | null = null;

  read(): Sample {
    if (this.tick++ % 5 === 0) this.pids = chromiumTree();
    const byKind: Record<string, number> = {};
    let total = 0;
    for (const pid of this.pids) {
      const mb = pssKb(pid) / 1024;
      const kind = processKind(pid);
      byKind[kind] = (byKind[kind] ?? 0) + mb;
      total += mb;
    }
    return { at: performance.now(), totalMb: total, byKind };
  }

  start(): void {
    this.samples.length = 0;
    this.tick = 0;
    this.timer = setInterval(() => this.samples.push(this.read()), SAMPLE_MS);
  }

  stop(): Sample {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const last = this.read();
    this.samples.push(last);
    return this.samples.reduce((a, b) => (b.totalMb > a.totalMb ? b : a), last);
  }

  cpuSeconds(): number {
    const hz = 100;
    return chromiumTree().reduce((s, pid) => s + cpuTicks(pid), 0) / hz;
  }
}

// ---------------------------------------------------------------- the page

/** Answers the save dialog with a file in the origin-private file system; or removes it. */
function pickerScript(save: Save): string {
  if (save === 'download') return 'window.showSaveFilePicker = undefined;';
  return `window.showSaveFilePicker = async (options) => {
    const root = await navigator.storage.getDirectory();
    const name = (options && options.suggestedName) || 'export';
    await root.removeEntry(name).catch(() => {});
    const handle = await root.getFileHandle(name, { create: true });
    const createWritable = handle.createWritable.bind(handle);
    handle.createWritable = async (o) => {
      const w = await createWritable(o);
      const close = w.close.bind(w);
      w.close = async () => { await close(); window.__benchSaved = { name, size: (await handle.getFile()).size }; };
      return w;
    };
    window.__benchSaved = null;
    return handle;
  };`;
}

async function gcAndSettle(page: Page, sampler: TreeSampler, ms = 3000): Promise<number> {
  await page.evaluate(() => (globalThis as { gc?: () => void }).gc?.());
  await page.waitForTimeout(ms);
  const reads = [sampler.read(), sampler.read(), sampler.read()].map((s) => s.totalMb).sort((a, b) => a - b);
  return reads[1] ?? 0;
}

interface ExportRun {
  /** The page's browser offered the save dialog (`picker`) or not. */
  readonly mode: Save;
  /** How the file was actually written. */
  readonly save: Save;
  readonly format: Format;
  readonly outcome: 'file' | 'refused' | 'failed';
  readonly message: string | null;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly beforeMb: number;
  readonly peak: Sample;
  readonly afterMb: number;
  readonly fileBytes: number | null;
  readonly check: { rows: number; amount: number } | null;
  readonly batches: number | null;
}

/** The newest file of `size` bytes under the profile's origin-private file system. */
function opfsFile(profile: string, size: number): string | null {
  const found = readdirSync(profile, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.parentPath.includes('File System'))
    .map((d) => join(d.parentPath, d.name))
    .filter((p) => statSync(p).size === size)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return found[0] ?? null;
}

async function checkFile(path: string, format: Format): Promise<{ rows: number; amount: number }> {
  const db = await NodeDb.open({ threads: 1 });
  try {
    const from =
      format === 'parquet'
        ? sql`read_parquet(${literal(path)})`
        : sql`read_csv(${literal(path)}, header = true, delim = ',', quote = '"', all_varchar = true)`;
    const [r] = await db.query<{ rows: number; amount: number }>(
      sql`SELECT count(*)::DOUBLE AS rows, round(sum(amount::DOUBLE), 2)::DOUBLE AS amount FROM ${from}`,
    );
    return { rows: r?.rows ?? 0, amount: r?.amount ?? 0 };
  } finally {
    await db.close();
  }
}

async function exportOnce(page: Page, profile: string, sampler: TreeSampler, save: Save, format: Format, timeoutMs: number): Promise<ExportRun> {
  await page.locator('[data-testid=export-what]').selectOption('lines');
  await page.locator('[data-testid=export-format]').selectOption(format);
  const beforeMb = await gcAndSettle(page, sampler);
  const cpu0 = sampler.cpuSeconds();
  sampler.start();
  const t0 = performance.now();
  await page.evaluate(() => ((window as unknown as { __benchSaved: unknown }).__benchSaved = null));
  const download = page.waitForEvent('download', { timeout: timeoutMs }).catch(() => null);
  await page.locator('[data-testid=export-run]').click();
  const menu = page.locator('.export-menu');
  // Done when the button is enabled again; the file is then complete or being finished.
  await page.locator('[data-testid=export-run]:not([disabled])').waitFor({ timeout: timeoutMs });
  const alert = menu.locator('[role=alert]');
  const message = (await alert.count()) > 0 ? (await alert.innerText()).trim() : null;
  // Small exports are downloaded even where the save dialog exists (SAVE_TO_FILE_MIN_ROWS).
  let path: string | null = null;
  let savedBy: 'picker' | 'download' | null = null;
  if (message === null) {
    const saved = page
      .waitForFunction(() => (window as unknown as { __benchSaved?: { size: number } | null }).__benchSaved ?? null, undefined, { timeout: timeoutMs })
      .then(async (h) => ({ picked: (await h.jsonValue()) as { size: number } }))
      .catch(() => null);
    const first = await Promise.race([saved, download.then((d) => (d ? { d } : null))]);
    if (first && 'picked' in first) {
      path = opfsFile(profile, first.picked.size);
      savedBy = 'picker';
    } else if (first && 'd' in first) {
      path = await first.d.path();
      savedBy = 'download';
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const peak = sampler.stop();
  const cpuSeconds = sampler.cpuSeconds() - cpu0;
  const batches = Number((await menu.getAttribute('data-batches')) ?? NaN);
  const afterMb = await gcAndSettle(page, sampler);
  const fileBytes = path ? statSync(path).size : null;
  // Row counts by native DuckDB (it reads no .xlsx without an extension download).
  const check = path && format !== 'xlsx' ? await checkFile(path, format) : null;
  if (path && savedBy === 'download') rmSync(path, { force: true });
  const outcome = path ? 'file' : message && format === 'xlsx' ? 'refused' : 'failed';
  return { mode: save, save: savedBy ?? save, format, outcome, message, seconds, cpuSeconds, beforeMb, peak, afterMb, fileBytes, check, batches: Number.isFinite(batches) ? batches : null };
}

interface LoadRun {
  readonly emptyMb: number;
  readonly loadedMb: number;
  readonly seconds: number;
  readonly rowsKept: number | null;
}

async function loadThroughUi(page: Page, url: string, file: string, sampler: TreeSampler, timeoutMs: number): Promise<LoadRun> {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('[data-testid=file-input]').waitFor({ state: 'attached', timeout: timeoutMs });
  const emptyMb = await gcAndSettle(page, sampler, 2000);
  const t0 = performance.now();
  await page.setInputFiles('[data-testid=file-input]', file);
  await page.locator('[data-testid=load-report]').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('[data-testid=busy]').first().waitFor({ state: 'detached', timeout: timeoutMs });
  const kept = await page.locator('[data-testid=load-report] [data-metric=rows_kept]').first().getAttribute('data-value');
  await page.locator('[data-testid=continue]').first().click();
  await page.locator('[data-testid=export-run]').waitFor({ timeout: timeoutMs });
  await page.locator('[data-testid=busy]').first().waitFor({ state: 'detached', timeout: timeoutMs });
  const seconds = (performance.now() - t0) / 1000;
  const loadedMb = await gcAndSettle(page, sampler);
  return { emptyMb, loadedMb, seconds, rowsKept: kept === null ? null : Number(kept) };
}

// ---------------------------------------------------------------- report

const f0 = (v: number): string => Math.round(v).toLocaleString('en-US');
const f1 = (v: number): string => v.toFixed(1);

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function markdown(args: Args, inputFile: string, load: LoadRun, runs: readonly ExportRun[], loads: readonly [number[], number[]]): string {
  const out: string[] = [];
  out.push(`## Export memory: ${f0(args.lines)} lines (${new Date().toISOString().slice(0, 10)})`, '');
  out.push(`\`npx tsx test/bench/export-memory.ts --lines ${args.lines}\`: the production build in headless ${chromiumVersion()}, a profile on disk, PSS of the whole Chromium process tree sampled every ${SAMPLE_MS} ms; ${cpus().length} cores, ${f1(totalmem() / 1024 ** 3)} GiB.`);
  out.push(`Load average (1/5/15 min) at start ${loads[0].map((v) => v.toFixed(2)).join(' / ')}, at end ${loads[1].map((v) => v.toFixed(2)).join(' / ')}${loads[0][0]! > cpus().length || loads[1][0]! > cpus().length ? ': above the core count, times are inflated' : ''}.`, '');
  out.push(`Input: ${inputFile.split('/').pop()} (${f1(statSync(inputFile).size / MB)} MB), loaded through the file input; ${load.rowsKept === null ? '?' : f0(load.rowsKept)} lines kept; load + dashboard ${f1(load.seconds)} s. PSS with the empty page ${f0(load.emptyMb)} MB, with the data loaded ${f0(load.loadedMb)} MB (+${f0(load.loadedMb - load.emptyMb)} MB for the data).`, '');
  const dataMb = load.loadedMb - load.emptyMb;
  out.push('| dialog / written by | format | outcome | file MB | time s | Chromium CPU s | batches | PSS before MB | peak MB | peak − before MB | after MB | peak by process (MB) | growth < data in tab | growth < file | rows in file | amount sum |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const growth = r.peak.totalMb - r.beforeMb;
    const yardstick = r.fileBytes === null ? null : r.fileBytes / MB;
    const vsData = growth < dataMb ? 'yes' : '**no**';
    const bounded = yardstick === null ? (r.outcome === 'refused' ? 'n/a' : '?') : growth < yardstick ? 'yes' : `**no** (${f1(growth / yardstick)}×)`;
    const kinds = Object.entries(r.peak.byKind).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f0(v)}`).join(', ');
    const rows = r.check ? `${f0(r.check.rows)}${load.rowsKept !== null && r.check.rows === load.rowsKept ? ' ✓' : ' ✗'}` : '–';
    out.push(
      `| ${r.mode === 'picker' ? 'yes' : 'no'} / ${r.outcome === 'file' ? r.save : '–'} | ${r.format} | ${r.outcome === 'file' ? 'file' : `${r.outcome}: ${(r.message ?? '').slice(0, 90)}`} | ${yardstick === null ? '–' : f1(yardstick)} | ${f1(r.seconds)} | ${f1(r.cpuSeconds)} | ${r.batches ?? '–'} | ${f0(r.beforeMb)} | ${f0(r.peak.totalMb)} | ${f0(growth)} | ${f0(r.afterMb)} | ${kinds} | ${vsData} | ${bounded} | ${rows} | ${r.check ? r.check.amount.toFixed(2) : '–'} |`,
    );
  }
  const sums = new Set(runs.filter((r) => r.check).map((r) => r.check!.amount.toFixed(2)));
  out.push('');
  out.push(`"growth": the peak during the export minus the PSS before it. "< data in tab": the export does not double the tab's memory (the data took ${f0(dataMb)} MB). "< file": stricter, the export never holds the whole file (× = growth ÷ file size). Amount sums of all files ${sums.size <= 1 ? 'agree' : '**disagree**'}.`);
  out.push('`picker`: the File System Access API writes each batch to the file as it is encoded. `download`: browsers without it get a Blob made of one part per batch; the Blob lives in the browser process (paged to disk by Chromium only beyond its in-memory blob limit), so that path holds the whole file once.', '');
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadStart = loadavg().map((v) => v);
  const timeoutMs = Math.max(120_000, args.lines / 5_000_000 * 1_200_000);
  const input = await salesParquet(args.lines);
  let dist = args.dist ?? process.env.LL_DIST ?? null;
  let builtDir: string | null = null;
  if (!dist || args.build) {
    if (!dist) builtDir = dist = mkdtempSync(join(tmpdir(), 'export-memory-dist-'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  }
  const server = await startPreview({ outDir: dist });
  const profile = mkdtempSync(join(tmpdir(), 'export-memory-profile-'));
  const sampler = new TreeSampler();
  const runs: ExportRun[] = [];
  let load: LoadRun | null = null;
  let ctx: BrowserContext | null = null;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
      acceptDownloads: true,
      serviceWorkers: 'block',
      locale: 'en',
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${String(e)}`));
    load = await loadThroughUi(page, server.url, input, sampler, timeoutMs);
    console.error(`loaded ${load.rowsKept} lines in ${f1(load.seconds)} s; PSS ${f0(load.emptyMb)} → ${f0(load.loadedMb)} MB`);
    for (const save of args.saves) {
      await page.evaluate(pickerScript(save));
      for (const format of args.formats) {
        const r = await exportOnce(page, profile, sampler, save, format, timeoutMs);
        runs.push(r);
        console.error(`${save} ${format}: ${r.outcome} ${r.fileBytes === null ? '' : f1(r.fileBytes / MB) + ' MB '}in ${f1(r.seconds)} s; PSS ${f0(r.beforeMb)} → peak ${f0(r.peak.totalMb)} → ${f0(r.afterMb)} MB; rows ${r.check?.rows ?? '–'}`);
      }
    }
  } finally {
    await ctx?.close().catch(() => undefined);
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
    if (builtDir) rmSync(builtDir, { recursive: true, force: true });
  }
  if (!load) throw new Error('nothing was measured');
  const text = markdown(args, input, load, runs, [loadStart, loadavg()]);
  console.log(text);
  if (args.out) await appendFile(args.out, text + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
