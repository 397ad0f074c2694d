/**
 * What is kept with the data on this device, in the same database file as the canonical
 * tables: the load report (which also carries each file's mapping) and when it was stored.
 * Kept inside the database so that a stored report always describes the stored tables.
 */
import type { DbClient } from '../db/client.ts';
import { databaseSchema } from '../db/client.ts';
import { ident, join, literal, raw, sql } from '../db/sql.ts';
import type { LoadReport } from '../ingest/types.ts';
import { CUSTOMER_INFO_DDL, LINES_DDL, SURVEY_DDL } from '../model/schema.ts';

export const STORE_TABLE = 'loyalty_lens_store';
/** Bumped when the stored shape changes; an older record is then ignored, not misread. */
export const STORE_FORMAT = '1';

export interface StoredDataset {
  readonly report: LoadReport;
  /** ISO timestamp. */
  readonly storedAt: string;
}

/** Whether table `name` exists in the database itself (default) or among the TEMP tables. */
async function tableExists(db: DbClient, name: string, where: 'database' | 'temp' = 'database'): Promise<boolean> {
  const catalog = where === 'temp' ? sql`'temp'` : sql`current_database()`;
  const rows = await db.query<{ n: number }>(
    sql`SELECT count(*)::INTEGER AS n FROM duckdb_tables()
      WHERE database_name = ${catalog} AND schema_name = 'main' AND table_name = ${name}`,
  );
  return (rows[0]?.n ?? 0) > 0;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A minimal shape check: the JSON was written by this program, but maybe by an older version. */
export function isLoadReport(v: unknown): v is LoadReport {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    Array.isArray(r.files) &&
    r.files.length > 0 &&
    r.files.every((f: unknown) => typeof f === 'object' && f !== null && Array.isArray((f as Record<string, unknown>).labels)) &&
    isCount(r.rows_read) &&
    isCount(r.rows_kept) &&
    isCount(r.rows_rejected) &&
    isCount(r.rows_skipped) &&
    Array.isArray(r.rejected) &&
    Array.isArray(r.skipped) &&
    Array.isArray(r.warnings)
  );
}

/** True when the loaded `lines` are TEMP tables still to be written to the database (see `persistLoaded`). */
export function loadedInTemp(db: DbClient): Promise<boolean> {
  return tableExists(db, 'lines', 'temp');
}

/**
 * Rows `persistLoaded` copies per call: one row group of the engine's storage, about 0.4 s
 * in the page. A tab or filter opened during the write waits for one slice, not for the
 * whole copy (3.3–3.4 s at 1 M lines).
 */
export const PERSIST_SLICE_ROWS = 122_880;

/**
 * Copy a load's TEMP `lines`, `survey` and `customer_info` (loadDataset with `linesInTemp`)
 * into the database, with their constraints, and drop the TEMP copies: afterwards the same
 * names find the stored tables.
 *
 * Each table is copied in slices of `sliceRows` rows, in its row order, into a table of its
 * own beside the stored one (`lines__saving`), one call per slice: the page's connection is
 * shared, and a single statement copying 1 M lines would hold the engine for seconds; each
 * slice waits until no other call is in flight (`DbClient.whenQuiet`). Until
 * the end, the unqualified names still find the TEMP tables, which nothing changes meanwhile
 * (a new load and Forget wait for the write). The copies then replace the stored tables in
 * one call, one transaction. A failure anywhere leaves the TEMP and the stored tables as they
 * were, and drops the copies. Returns the number of slices copied.
 */
export async function persistLoaded(db: DbClient, sliceRows: number = PERSIST_SLICE_ROWS): Promise<{ slices: number }> {
  // Qualified by the database's name: a bare `main.lines` would find the TEMP table first.
  const target = await databaseSchema(db);
  // TEMP lines built by hand (not by a load) have no customer_info: an empty one is stored.
  const withInfo = await tableExists(db, 'customer_info', 'temp');
  const tables = [
    { name: 'lines', ddl: LINES_DDL, copy: true },
    { name: 'survey', ddl: SURVEY_DDL, copy: true },
    { name: 'customer_info', ddl: CUSTOMER_INFO_DDL, copy: withInfo },
  ];
  const saving = (name: string) => `${target}.${name}__saving`;
  let swapping = false;
  let slices = 0;
  try {
    for (const t of tables) {
      await db.exec(t.ddl.replace(`CREATE OR REPLACE TABLE ${t.name}`, `CREATE OR REPLACE TABLE ${saving(t.name)}`));
      if (!t.copy) continue;
      // rowid, not a count: a table with deleted rows has gaps in it.
      const [ends] = await db.query<{ end: number }>(`SELECT coalesce(max(rowid) + 1, 0)::INTEGER AS end FROM temp.main.${t.name}`);
      const end = ends?.end ?? 0;
      for (let from = 0; from < end; from += sliceRows) {
        await db.whenQuiet?.();
        slices++;
        await db.exec(
          `INSERT INTO ${saving(t.name)} SELECT * FROM temp.main.${t.name} WHERE rowid >= ${from} AND rowid < ${from + sliceRows}`,
        );
      }
    }
    const swap = tables.flatMap((t) => [
      `DROP TABLE IF EXISTS ${target}.${t.name}`,
      `ALTER TABLE ${saving(t.name)} RENAME TO ${t.name}`,
      `DROP TABLE IF EXISTS temp.main.${t.name}`,
    ]);
    await db.whenQuiet?.();
    swapping = true;
    await db.exec(['BEGIN TRANSACTION', ...swap, 'COMMIT'].join(';\n'));
    return { slices };
  } catch (e) {
    if (swapping) await db.exec('ROLLBACK').catch(() => undefined);
    for (const t of tables) await db.exec(`DROP TABLE IF EXISTS ${saving(t.name)}`).catch(() => undefined);
    throw e;
  }
}

/**
 * Keep `report` with the tables now loaded (replaces any record before). One call: the
 * page's connection is shared, and a dashboard run's statements sent between a BEGIN and
 * its COMMIT would run inside this transaction (its ATTACH of the derived tables' database
 * then fails, and a failing statement of its own would abort the write).
 */
export async function writeStored(db: DbClient, report: LoadReport, storedAt: Date): Promise<void> {
  const record: readonly (readonly [string, string])[] = [
    ['format', STORE_FORMAT],
    ['stored_at', storedAt.toISOString()],
    ['report', JSON.stringify(report)],
  ];
  const values = record.map(([k, v]) => sql`(${literal(k)}, ${literal(v)})`);
  const write = sql`CREATE TABLE IF NOT EXISTS ${raw(STORE_TABLE)} (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
    BEGIN TRANSACTION;
    DELETE FROM ${raw(STORE_TABLE)};
    INSERT INTO ${raw(STORE_TABLE)} VALUES ${join(values)};
    COMMIT`;
  try {
    await db.exec(write);
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The stored record, or null when there is none, it is of another format, or the tables are gone. */
export async function readStored(db: DbClient): Promise<StoredDataset | null> {
  if (!(await tableExists(db, STORE_TABLE)) || !(await tableExists(db, 'lines'))) return null;
  const rows = await db.query<{ key: string; value: string }>(`SELECT key, value FROM ${STORE_TABLE}`);
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  if (get('format') !== STORE_FORMAT) return null;
  const storedAt = get('stored_at');
  const json = get('report');
  if (storedAt === undefined || json === undefined || Number.isNaN(Date.parse(storedAt))) return null;
  let report: unknown;
  try {
    report = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isLoadReport(report)) return null;
  // Data stored before customer_info existed: an empty one (no contacts, no unused cells).
  if (!(await tableExists(db, 'customer_info'))) await db.exec(CUSTOMER_INFO_DDL);
  return { report, storedAt };
}

/** Forget the record (the tables stay until they are replaced or the file is removed). */
export async function clearStored(db: DbClient): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${STORE_TABLE}`);
}

/** Every table the page creates, for a Forget that leaves nothing behind even if the file cannot be removed. */
export async function dropAllTables(db: DbClient): Promise<void> {
  const views = await db.query<{ name: string }>("SELECT view_name AS name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'");
  for (const v of views) await db.exec(sql`DROP VIEW IF EXISTS ${ident(v.name)}`);
  const tables = await db.query<{ name: string }>("SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main'");
  for (const t of tables) await db.exec(sql`DROP TABLE IF EXISTS ${ident(t.name)}`);
}
