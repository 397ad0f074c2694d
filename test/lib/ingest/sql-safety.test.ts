/**
 * File names, column labels and cell values must never become SQL text: they either travel
 * as bound parameters or stay in JavaScript. Every statement the loader and the analyses
 * send is recorded through a wrapping client and searched for them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFacts, runDashboard } from '../../../src/lib/analyses/index.ts';
import { customerListQuery } from '../../../src/lib/analyses/customer-list.ts';
import type { ArrowInsertOptions, DbClient, Row } from '../../../src/lib/db/client.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import type { SqlQuery, SqlValue } from '../../../src/lib/db/sql.ts';
import { loadDataset, type InputFile } from '../../../src/lib/ingest/load.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/hostile');

interface Executed {
  readonly text: string;
  readonly params: readonly SqlValue[];
}

/** A DbClient that records the text and parameters of every statement before running it. */
class RecordingDb implements DbClient {
  readonly executed: Executed[] = [];
  readonly registered: string[] = [];
  constructor(private readonly inner: DbClient) {}
  private note(q: SqlQuery | string): void {
    this.executed.push(typeof q === 'string' ? { text: q, params: [] } : { text: q.text, params: [...q.params] });
  }
  exec(q: SqlQuery | string): Promise<void> {
    this.note(q);
    return this.inner.exec(q);
  }
  query<T extends Row = Row>(q: SqlQuery | string): Promise<T[]> {
    this.note(q);
    return this.inner.query<T>(q);
  }
  async registerBuffer(bytes: Uint8Array): Promise<string> {
    const path = await this.inner.registerBuffer(bytes);
    this.registered.push(path);
    return path;
  }
  dropBuffer(path: string): Promise<void> {
    return this.inner.dropBuffer(path);
  }
  insertArrowIPC(table: string, ipc: Uint8Array, options?: ArrowInsertOptions): Promise<void> {
    this.executed.push({ text: `-- insertArrowIPC ${table}`, params: [] });
    return this.inner.insertArrowIPC(table, ipc, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const read = (file: string, name = file): InputFile => ({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, file))) });

/** Header labels and every cell of a (UTF-8) fixture, parsed independently of the loader. */
function cellsOf(file: string): { labels: string[]; values: string[] } {
  const text = readFileSync(join(FIXTURES, file), 'utf8').replace(/^\uFEFF/, '');
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  const [header = [], ...rows] = parsed.data;
  return { labels: header, values: rows.flat() };
}

/**
 * Strings that could not turn up in generated SQL by chance. Short plain tokens ("x", "p",
 * "12.50") are too common to search for; every hostile value is longer or carries a quote,
 * semicolon, non-ASCII character or space.
 */
function distinctive(s: string): boolean {
  return s.length >= 5 || /['";\s]|[^\x00-\x7f]/u.test(s);
}

const HOSTILE_NAME = "x'); DROP TABLE lines; --.csv";
const FILENAME_37 = "37_filename_inject'); SELECT 1; --.csv";

let native: NodeDb;
let db: RecordingDb;
beforeAll(async () => {
  native = await NodeDb.open();
  db = new RecordingDb(native);
});
afterAll(async () => {
  await native.close();
});

function leaks(needles: readonly string[]): { needle: string; sql: string }[] {
  const found: { needle: string; sql: string }[] = [];
  for (const needle of needles) {
    const hit = db.executed.find((e) => e.text.includes(needle));
    if (hit) found.push({ needle, sql: hit.text.slice(0, 200) });
  }
  return found;
}

async function tableNames(): Promise<string[]> {
  const rows = await native.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables ORDER BY table_name');
  return rows.map((r) => r.table_name);
}

describe('hostile names, labels and values never become SQL text', () => {
  it('loads a file named like an injection and labels full of quotes, semicolons, Chinese and emoji', async () => {
    const report = await loadDataset(db, [read('sql_hostile_labels.csv', HOSTILE_NAME), read(FILENAME_37)]);
    expect(report.files.map((f) => f.name)).toEqual([HOSTILE_NAME, FILENAME_37]);
    // 4 lines of the label fixture + 8 of corpus file 37, all kept.
    expect(report.rows_kept).toBe(12);
    expect(report.files[0]?.labels).toContain('"; DROP TABLE lines; --');
    expect(report.files[0]?.labels).toContain('表情 😀');

    const own = cellsOf('sql_hostile_labels.csv');
    const corpus = cellsOf(FILENAME_37);
    const needles = [HOSTILE_NAME, FILENAME_37, ...own.labels, ...corpus.labels, ...own.values, ...corpus.values].filter(distinctive);
    expect(needles.length).toBeGreaterThan(40);
    expect(db.executed.length).toBeGreaterThan(10);
    expect(leaks(needles)).toEqual([]);
    expect(db.registered.every((p) => !p.includes('DROP') && !p.includes("'"))).toBe(true);

    expect(await tableNames()).toEqual(['customer_info', 'lines', 'survey']);
    const kept = await native.query<{ customer_id: string; category: string | null }>(
      'SELECT customer_id, category FROM lines WHERE file_no = 0 ORDER BY line_no',
    );
    expect(kept).toEqual([
      { customer_id: "C'1; DROP TABLE lines; --", category: "茶'; DROP TABLE lines; --" },
      { customer_id: '张三 😀', category: '"; DELETE FROM lines; --' },
      { customer_id: "C'1; DROP TABLE lines; --", category: '绿茶' },
      { customer_id: 'Zoë\\n"quoted"', category: '乌龙茶' },
    ]);
  });

  it('runs the dashboard with a filter on a hostile category: the value is bound, never spliced', async () => {
    db.executed.length = 0;
    const hostileCategory = "茶'; DROP TABLE lines; --";
    const settings: Settings = { ...DEFAULT_SETTINGS, filters: { from: null, to: null, dims: { category: [hostileCategory, '绿茶'] } } };
    const mapped = { category: true, region: false, channel: false, order: false };
    const result = await runDashboard(db, settings, mapped);
    await datasetFacts(db, mapped);
    const asOf = result.asOf ?? '1970-01-01';
    const list = await db.query<{ customer_id: string }>(
      customerListQuery({ asOf, tierA: 0.8, tierB: 0.95, high: result.satisfaction.scaleInfo.high, loyalMinOrders: 2 }),
    );
    // Only the two lines of customer C'1 have those categories: 12.50 + 30.00.
    expect(list.map((r) => r.customer_id)).toEqual(["C'1; DROP TABLE lines; --"]);
    expect(result.overview.customers).toBe(1);
    expect(result.overview.revenue).toBeCloseTo(42.5, 6);

    const boundSomewhere = db.executed.some((e) => e.params.includes(hostileCategory));
    expect(boundSomewhere).toBe(true);
    expect(leaks([hostileCategory, '绿茶'])).toEqual([]);
    expect(await tableNames()).toContain('lines');
    const [n] = await native.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM lines');
    expect(n?.n).toBe(12);
  });
});
