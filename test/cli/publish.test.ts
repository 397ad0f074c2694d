/**
 * `publish` on the analyze fixtures (see test/cli/analyze.test.ts for their contents) with
 * `--page` pointing at a tiny fake page, so no build is needed: the layout of the output,
 * no customer id anywhere in an aggregates-only output, relative paths only, and the exit
 * codes and messages of a user's mistakes (child processes, started together in beforeAll).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm';
import { ROOT, runCli, type Run } from './run-cli.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/cli/publish.ts';
import type { PublishedManifest } from '../../src/lib/state/published.ts';
import { parquetInit } from '../lib/export/fixture.ts';

const FIX = join(ROOT, 'test/fixtures/cli');
const SALES = join(FIX, 'sales_gb18030.csv');
const SURVEY = join(FIX, 'survey_by_order.csv');
/** The customer ids in sales_gb18030.csv. */
const CUSTOMER_IDS = ['C001', 'C002', 'C003', 'C004', 'C005'];
/** Its customer names, read from the file (second column) rather than retyped here. */
const CUSTOMER_NAMES = [
  ...new Set(
    new TextDecoder('gb18030')
      .decode(readFileSync(SALES))
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(',')[1] ?? '')
      .filter((n) => n.length > 0 && n !== '合计'),
  ),
];

const tmp = mkdtempSync(join(tmpdir(), 'publish-test-'));
const PAGE = join(tmp, 'page');

const cli = (...args: string[]): Promise<Run> => runCli('publish', ...args);

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .map((p) => p.split('\\').join('/'))
    .sort();
}

let runs: Record<'missing' | 'binary' | 'empty' | 'noPage' | 'ok', Run>;
let notEmpty: string;

beforeAll(async () => {
  mkdirSync(join(PAGE, 'assets'), { recursive: true });
  writeFileSync(join(PAGE, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(PAGE, 'assets', 'app.js'), 'export {};');
  // A stale dataset and the demo in the page folder must not be copied.
  mkdirSync(join(PAGE, 'data'), { recursive: true });
  writeFileSync(join(PAGE, 'data', 'manifest.json'), '{"stale":true}');
  mkdirSync(join(PAGE, 'demo'), { recursive: true });
  writeFileSync(join(PAGE, 'demo', 'sales.csv'), 'customer_id\nDEMO1\n');
  // A file whose name starts like "data" is part of the page.
  writeFileSync(join(PAGE, 'database-notes.txt'), 'kept');
  notEmpty = join(tmp, 'not-empty');
  mkdirSync(notEmpty);
  writeFileSync(join(notEmpty, 'precious.txt'), 'keep me');
  const [missing, binary, empty, noPage, ok] = await Promise.all([
    cli(join(FIX, 'no-such-file.csv'), '--page', PAGE, '--out', join(tmp, 'out-missing')),
    cli(join(FIX, 'binary.csv'), '--page', PAGE, '--out', join(tmp, 'out-binary')),
    cli(join(FIX, 'empty.csv'), '--page', PAGE, '--out', join(tmp, 'out-empty')),
    cli(SALES, '--page', join(tmp, 'nowhere'), '--out', join(tmp, 'out-nopage')),
    cli(SALES, '--page', PAGE, '--out', notEmpty),
  ]);
  runs = { missing: missing!, binary: binary!, empty: empty!, noPage: noPage!, ok: ok! };
}, 60_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('publish (parquet mode)', () => {
  it('writes the page, the manifest and the tables beside it', async () => {
    const out = join(tmp, 'site-parquet');
    const { manifest } = await publish([SALES, '--survey', SURVEY, '--page', PAGE, '--out', out]);
    expect(filesUnder(out)).toEqual([
      'assets/app.js', 'data/lines.parquet', 'data/manifest.json', 'data/survey.parquet', 'database-notes.txt', 'index.html',
    ]);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe(readFileSync(join(PAGE, 'index.html'), 'utf8'));
    const onDisk = JSON.parse(readFileSync(join(out, 'data', 'manifest.json'), 'utf8')) as PublishedManifest;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(onDisk.mode).toBe('parquet');
    expect(onDisk.tables).toEqual({ lines: 'lines.parquet', survey: 'survey.parquet' });
    expect(onDisk.report.rows_kept).toBe(11 + 8);
    expect(onDisk.mapping).toMatchObject({ customer: '客户编号', order: '订单号', amount: '实付金额' });
    parquetInit();
    const lines = tableFromIPC(readParquet(new Uint8Array(readFileSync(join(out, 'data', 'lines.parquet')))).intoIPCStream());
    expect(lines.numRows).toBe(11);
    expect([...new Set(lines.getChild('customer_id')?.toArray() as string[])].sort()).toEqual(CUSTOMER_IDS);
    expect((lines.getChild('amount')?.toArray() as Float64Array).reduce((a, b) => a + b, 0)).toBeCloseTo(590, 6);
  });

  it('names no path of this machine: everything the page reads is relative', async () => {
    const out = join(tmp, 'site-paths');
    await publish([SALES, '--page', PAGE, '--out', out]);
    const text = readFileSync(join(out, 'data', 'manifest.json'), 'utf8');
    expect(text).not.toContain(tmp);
    expect(text).not.toContain(ROOT);
    expect(text).not.toMatch(/"\/|[A-Za-z]:\\\\/);
    const m = JSON.parse(text) as PublishedManifest;
    expect(m.report.files.map((f) => f.name)).toEqual(['sales_gb18030.csv']);
    expect(m.tables?.survey).toBeNull();
  });
});

describe('publish --aggregates-only', () => {
  it('writes the dashboard only: no table, and no customer id or name in any file', async () => {
    const out = join(tmp, 'site-agg');
    const { manifest } = await publish([SALES, '--survey', SURVEY, '--aggregates-only', '--page', PAGE, '--out', out]);
    expect(filesUnder(out)).toEqual(['assets/app.js', 'data/manifest.json', 'database-notes.txt', 'index.html']);
    expect(manifest.mode).toBe('aggregates');
    expect(manifest.tables).toBeUndefined();
    // Hand-counted in analyze.test.ts: 5 customers, 590 of net sales.
    expect(manifest.result?.overview).toMatchObject({ customers: 5, revenue: 590 });
    expect(CUSTOMER_NAMES.length).toBeGreaterThanOrEqual(4);
    for (const f of filesUnder(out)) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const id of CUSTOMER_IDS) expect({ file: f, has: text.includes(id) }).toEqual({ file: f, has: false });
      for (const name of [...CUSTOMER_NAMES, 'DEMO1']) expect({ file: f, has: text.includes(name) }).toEqual({ file: f, has: false });
    }
  });
});

describe('publish: mistakes', () => {
  it('a missing sales file: exit 2, the path and the usage', () => {
    expect(runs.missing.code).toBe(2);
    expect(runs.missing.stderr).toMatch(/^cannot read .*no-such-file\.csv: ENOENT/);
    expect(runs.missing.stderr).toMatch(/\nusage: npm run publish -- SALES_FILE/);
    expect(runs.missing.stdout).toBe('');
  });

  it('an unloadable sales file: exit 1 with the loader\'s code, and nothing written', () => {
    expect(runs.binary.code).toBe(1);
    expect(runs.binary.stderr).toMatch(/^cannot load: NOT_TEXT /);
    expect(runs.empty.code).toBe(1);
    expect(runs.empty.stderr).toMatch(/^cannot load: EMPTY_FILE /);
    expect(() => statSync(join(tmp, 'out-binary'))).toThrow();
  });

  it('a --page folder without index.html: exit 2', () => {
    expect(runs.noPage.code).toBe(2);
    expect(runs.noPage.stderr).toMatch(/^--page .*nowhere: no index\.html there/);
  });

  it('refuses to replace a folder that holds something else', () => {
    expect(runs.ok.code).toBe(2);
    expect(runs.ok.stderr).toMatch(/^--out .*not-empty: not empty and not an earlier publication/);
    expect(readFileSync(join(notEmpty, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('replaces an earlier publication', async () => {
    const out = join(tmp, 'site-again');
    await publish([SALES, '--aggregates-only', '--page', PAGE, '--out', out]);
    await publish([SALES, '--page', PAGE, '--out', out]);
    expect(filesUnder(out)).toContain('data/lines.parquet');
    expect(relative(out, join(out, 'data', 'manifest.json'))).toBe(join('data', 'manifest.json'));
  });
});
