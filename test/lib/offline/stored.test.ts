import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Row } from '../../../src/lib/db/client.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import type { LoadReport } from '../../../src/lib/ingest/types.ts';
import { storageProblem } from '../../../src/lib/offline/problem.ts';
import { CUSTOMER_INFO_DDL, LINES_DDL, SURVEY_DDL } from '../../../src/lib/model/schema.ts';
import { clearStored, dropAllTables, isLoadReport, persistLoaded, readStored, writeStored } from '../../../src/lib/offline/stored.ts';
import { SharedConnection } from '../ingest/pass-through-db.ts';

const REPORT = {
  files: [{ name: '销售.csv', labels: ['客户ID', '日期', '金额'], mapping: { customer: 0, date: 1, amount: 2 } }],
  rows_read: 3,
  rows_kept: 2,
  rows_rejected: 1,
  rows_skipped: 0,
  rejected: [{ file: 0, line: 3, reason: 'missing_customer_id' }],
  skipped: [],
  warnings: [],
  millis: 5,
} as unknown as LoadReport;

describe('stored record', () => {
  let db: NodeDb;
  beforeEach(async () => {
    db = await NodeDb.open();
    await db.exec('CREATE TABLE lines (customer_id VARCHAR)');
  });
  afterEach(async () => db.close());

  it('round-trips the report and the time it was stored', async () => {
    await writeStored(db, REPORT, new Date(Date.UTC(2024, 4, 1, 8, 30)));
    expect(await readStored(db)).toEqual({ report: REPORT, storedAt: '2024-05-01T08:30:00.000Z' });
  });

  it("is one statement to the engine: a run's statements on the same connection never land inside its transaction", async () => {
    const shared = new SharedConnection(db);
    await writeStored(shared, REPORT, new Date(Date.UTC(2024, 4, 1)));
    await writeStored(shared, { ...REPORT, rows_read: 7 }, new Date(Date.UTC(2024, 4, 2)));
    expect(shared.intruderErrors).toEqual([]);
    const got = await readStored(db);
    expect(got?.report.rows_read).toBe(7);
    expect(await db.query('SELECT count(*)::INTEGER AS n FROM loyalty_lens_store')).toEqual([{ n: 3 }]);
  });

  it('keeps a report that holds quotes, backslashes and Chinese text exactly', async () => {
    const odd = { ...REPORT, files: [{ ...REPORT.files[0], name: "O'Brien \\ \"客户\"; DROP TABLE lines; --.csv" }] } as unknown as LoadReport;
    await writeStored(db, odd, new Date(Date.UTC(2024, 4, 1)));
    expect((await readStored(db))?.report).toEqual(odd);
  });

  it('a second write replaces the first', async () => {
    await writeStored(db, REPORT, new Date(Date.UTC(2024, 4, 1)));
    await writeStored(db, { ...REPORT, rows_read: 7 }, new Date(Date.UTC(2024, 4, 2)));
    const got = await readStored(db);
    expect(got?.report.rows_read).toBe(7);
    expect(got?.storedAt).toBe('2024-05-02T00:00:00.000Z');
  });

  it('nothing when there is no record, after clearing, without the lines table, or in another format', async () => {
    expect(await readStored(db)).toBeNull();
    await writeStored(db, REPORT, new Date());
    await clearStored(db);
    expect(await readStored(db)).toBeNull();

    await writeStored(db, REPORT, new Date());
    await db.exec("UPDATE loyalty_lens_store SET value = '0' WHERE key = 'format'");
    expect(await readStored(db)).toBeNull();

    await writeStored(db, REPORT, new Date());
    await db.exec('DROP TABLE lines');
    expect(await readStored(db)).toBeNull();
  });

  it('dropAllTables leaves no table or view', async () => {
    await writeStored(db, REPORT, new Date());
    await db.exec('CREATE VIEW f_lines AS SELECT * FROM lines');
    await dropAllTables(db);
    expect(await db.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")).toEqual([]);
    expect(await db.query("SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'")).toEqual([]);
  });

  it('rejects a report of the wrong shape', () => {
    expect(isLoadReport(REPORT)).toBe(true);
    expect(isLoadReport({ ...REPORT, files: [] })).toBe(false);
    expect(isLoadReport({ ...REPORT, rows_read: -1 })).toBe(false);
    expect(isLoadReport({ ...REPORT, rejected: undefined })).toBe(false);
    expect(isLoadReport('{}')).toBe(false);
  });
});

describe('storageProblem', () => {
  it('names the cause from what the browser or the engine threw', () => {
    expect(storageProblem(new DOMException('full', 'QuotaExceededError'))).toBe('quota');
    expect(storageProblem(new Error('IO Error: Could not write file: QuotaExceededError: quota exceeded'))).toBe('quota');
    expect(storageProblem(new DOMException('x', 'NoModificationAllowedError'))).toBe('locked');
    expect(storageProblem(new Error('Access Handles cannot be created if there is another open Access Handle or Writable stream associated with the same file.:'))).toBe('locked');
    expect(storageProblem(new DOMException('denied', 'SecurityError'))).toBe('unavailable');
    expect(storageProblem(new Error('Catalog Error: Table with name x does not exist!'))).toBe('failed');
    expect(storageProblem('weird')).toBe('failed');
  });
});

describe('persistLoaded', () => {
  let db: NodeDb;
  const temp = (ddl: string) => ddl.replace('CREATE OR REPLACE TABLE', 'CREATE OR REPLACE TEMP TABLE');
  beforeEach(async () => {
    db = await NodeDb.open();
    // A stored dataset from before, then a load in memory (as loadDataset with linesInTemp leaves it).
    await db.exec(LINES_DDL);
    await db.exec("INSERT INTO lines (file_no, line_no, customer_id, order_ts, order_date, amount) VALUES (0, 2, 'OLD', TIMESTAMP '2020-01-01', DATE '2020-01-01', 1)");
    await db.exec(temp(LINES_DDL));
    await db.exec(temp(SURVEY_DDL));
    await db.exec(`INSERT INTO temp.main.lines (file_no, line_no, customer_id, order_ts, order_date, amount)
      SELECT 0, i, 'C' || (7 - i)::VARCHAR, TIMESTAMP '2024-01-01', DATE '2024-01-01', i FROM range(2, 9) r(i)`);
    await db.exec("INSERT INTO temp.main.survey (file_no, line_no, customer_id, score) VALUES (1, 2, 'C1', 9)");
    await db.exec(temp(CUSTOMER_INFO_DDL));
    await db.exec("INSERT INTO temp.main.customer_info VALUES ('C1', '华东贸易', '138', NULL, 0, 6, ['上海路'])");
  });
  afterEach(async () => db.close());

  const tables = () => db.query("SELECT database_name AS db, table_name AS t FROM duckdb_tables() WHERE database_name <> 'derived' ORDER BY t, db");
  const lineIds = () => db.query('SELECT customer_id FROM lines').then((rs) => rs.map((r) => r.customer_id));

  it('copies the TEMP tables into the database, in the same order and with their constraints, and drops them', async () => {
    const before = await lineIds();
    expect(before).toEqual(['C5', 'C4', 'C3', 'C2', 'C1', 'C0', 'C-1']);
    await persistLoaded(db);
    expect(await tables()).toEqual([
      { db: 'memory', t: 'customer_info' },
      { db: 'memory', t: 'lines' },
      { db: 'memory', t: 'survey' },
    ]);
    expect(await lineIds()).toEqual(before);
    expect(await db.query("SELECT customer_id, name, cells[1] AS c FROM customer_info")).toEqual([{ customer_id: 'C1', name: '华东贸易', c: '上海路' }]);
    expect(await db.query('SELECT customer_id, score FROM survey')).toEqual([{ customer_id: 'C1', score: 9 }]);
    await expect(
      db.exec("INSERT INTO lines (file_no, line_no, customer_id, order_ts, order_date, amount) VALUES (0, 1, NULL, TIMESTAMP '2024-01-01', DATE '2024-01-01', 1)"),
    ).rejects.toThrow(/NOT NULL/);
  });

  const asBefore = async () => {
    expect(await tables()).toEqual([
      { db: 'temp', t: 'customer_info' },
      { db: 'memory', t: 'lines' },
      { db: 'temp', t: 'lines' },
      { db: 'temp', t: 'survey' },
    ]);
    expect(await lineIds()).toEqual(['C5', 'C4', 'C3', 'C2', 'C1', 'C0', 'C-1']);
    expect(await db.query('SELECT customer_id FROM memory.main.lines')).toEqual([{ customer_id: 'OLD' }]);
  };

  /** `db`, with the first call whose text matches `when` failing (as a full disk would). */
  const failingAt = (when: RegExp) => {
    const failing = Object.create(db) as NodeDb;
    let failed = false;
    failing.exec = async (q) => {
      const text = typeof q === 'string' ? q : q.text;
      if (!failed && when.test(text)) {
        failed = true;
        return db.exec(text.replace(/INSERT INTO "memory"\.main\.\w+|ALTER TABLE "memory"\.main\.survey__saving/, (m) => `${m}_no_such_table`));
      }
      return db.exec(q);
    };
    return failing;
  };

  it('copies a table larger than a slice slice by slice, in order, and every slice leaves the engine to others', async () => {
    const shared = new SharedConnection(db);
    const seen: number[] = [];
    const counting = Object.create(shared) as SharedConnection;
    counting.exec = async (q) => {
      await shared.exec(q);
      // What a dashboard run between two calls reads: the loaded lines, whole.
      seen.push(Number((await db.query('SELECT count(*)::INTEGER AS n FROM lines'))[0]?.n));
    };
    const before = await lineIds();
    expect(await persistLoaded(counting, 3)).toEqual({ slices: 3 + 1 + 1 });
    expect(shared.intruderErrors).toEqual([]);
    // Three slices of the 7 lines (rowid 0–2, 3–5, 6), one of the survey and one of the info, each its own call.
    const slices = seen.length;
    expect(slices).toBeGreaterThanOrEqual(3 + 1 + 1 + 3 + 1);
    expect(seen.every((n) => n === 7)).toBe(true);
    expect(await lineIds()).toEqual(before);
    expect(await tables()).toEqual([
      { db: 'memory', t: 'customer_info' },
      { db: 'memory', t: 'lines' },
      { db: 'memory', t: 'survey' },
    ]);
  });

  it("waits for the engine's other calls before each slice and before the swap (whenQuiet)", async () => {
    const quiet = Object.create(db) as NodeDb & { whenQuiet: () => Promise<void> };
    const order: string[] = [];
    quiet.whenQuiet = async () => {
      order.push('quiet');
    };
    quiet.exec = async (q) => {
      const text = typeof q === 'string' ? q : q.text;
      order.push(text.startsWith('INSERT') ? 'slice' : text.startsWith('BEGIN') ? 'swap' : 'other');
      return db.exec(q);
    };
    await persistLoaded(quiet, 3);
    const waited = order.map((o, i) => (o === 'slice' || o === 'swap' ? order[i - 1] : 'quiet'));
    expect(order.filter((o) => o === 'slice')).toHaveLength(3 + 1 + 1);
    expect(waited.every((o) => o === 'quiet')).toBe(true);
  });

  it('a table with deleted rows is copied whole (rowids have gaps)', async () => {
    await db.exec("DELETE FROM temp.main.lines WHERE customer_id IN ('C4', 'C3', 'C2')");
    await persistLoaded(db, 2);
    expect(await lineIds()).toEqual(['C5', 'C1', 'C0', 'C-1']);
  });

  it('a failure in a slice leaves the loaded and the stored tables as they were, without the copies', async () => {
    await expect(persistLoaded(failingAt(/INSERT INTO "memory"\.main\.lines__saving .* rowid >= 3 /), 3)).rejects.toThrow(/no_such_table/);
    await asBefore();
  });

  it('a failure while the copies replace the stored tables leaves both as they were', async () => {
    await expect(persistLoaded(failingAt(/^BEGIN/), 3)).rejects.toThrow(/no_such_table/);
    await asBefore();
  });
});
