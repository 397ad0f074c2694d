/**
 * What the load report says about Online Retail, checked against a plain-TypeScript reading
 * of the file (papaparse, loops and Maps; nothing from src/lib/ingest): the exact duplicate
 * rows among the rows kept, what de-duplication removes, the revenue of the rows rejected for
 * an empty customer id (exact, in units of 1e-4), and the columns left unused.
 * Reads ../shared (not available on users' machines).
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset } from '../../src/lib/ingest/load.ts';
import { duplicateRows, unusedColumns } from '../../src/lib/ingest/report.ts';
import type { LoadReport } from '../../src/lib/ingest/types.ts';
import { toUnits } from './independent.ts';

const PATH = new URL('../../../shared/data/online-retail/online_retail.csv', import.meta.url).pathname;

interface Reference {
  read: number;
  rejected: number;
  /** Rows with a customer id that repeat an earlier such row in every cell. */
  duplicates: number;
  /** Sum of Quantity × UnitPrice over the rows without a customer id, in units of 1e-4. */
  rejectedUnits: bigint;
  /** The first rejected rows: physical line and cells joined by commas. */
  firstRejected: { line: number; text: string }[];
}

function reference(): Reference {
  const text = readFileSync(PATH, 'utf8').replace(/\r?\n$/, '');
  const [header, ...rows] = Papa.parse<string[]>(text, { header: false }).data;
  if (!header) throw new Error('empty');
  const col = (name: string) => header.indexOf(name);
  const [cust, qty, price] = [col('CustomerID'), col('Quantity'), col('UnitPrice')];
  const seen = new Set<string>();
  let rejected = 0;
  let duplicates = 0;
  let rejectedUnits = 0n;
  const firstRejected: { line: number; text: string }[] = [];
  for (const [i, r] of rows.entries()) {
    if ((r[cust] ?? '').trim() === '') {
      rejected++;
      if (firstRejected.length < 100) firstRejected.push({ line: i + 2, text: r.join(',') });
      rejectedUnits += BigInt(Number(r[qty])) * BigInt(toUnits(r[price] ?? ''));
      continue;
    }
    const key = JSON.stringify(r);
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return { read: rows.length, rejected, duplicates, rejectedUnits, firstRejected };
}

/** "-1234.5600" → units of 1e-4, as a bigint (no rounding: the text has four decimals). */
function decimalUnits(text: string): bigint {
  const m = /^(-?)(\d+)\.(\d{4})$/.exec(text);
  if (!m) throw new Error(`not a DECIMAL(38,4) text: ${text}`);
  const units = BigInt(m[2] as string) * 10000n + BigInt(m[3] as string);
  return m[1] === '-' ? -units : units;
}

/** The automatic mapping reads InvoiceNo, Description (product), Quantity, InvoiceDate, UnitPrice, CustomerID, Country (region). */
const UNUSED = ['StockCode'];

let db: NodeDb;
let ref: Reference;
let asIs: LoadReport;
let deduped: LoadReport;
beforeAll(async () => {
  db = await NodeDb.open();
  ref = reference();
  const file = () => ({ name: 'online_retail.csv', bytes: new Uint8Array(readFileSync(PATH)) });
  asIs = await loadDataset(db, [file()]);
  deduped = await loadDataset(db, [file()], { overrides: [{ parse: { dedupe: true } }] });
}, 300_000);
afterAll(async () => {
  await db.close();
});

describe('Online Retail load report', () => {
  it('says how many exact duplicate rows were kept', () => {
    expect(ref.duplicates).toBe(5_225);
    expect(duplicateRows(asIs)).toEqual({ kept: ref.duplicates, removed: 0 });
    expect(asIs).toMatchObject({ rows_read: ref.read, rows_rejected: ref.rejected, rows_skipped: 0, rows_kept: ref.read - ref.rejected });
  });

  it('removes them on request, counting them as skipped so the accounting still holds', () => {
    expect(duplicateRows(deduped)).toEqual({ kept: 0, removed: ref.duplicates });
    expect(deduped.files[0]?.skippedByReason).toEqual({ duplicate_row: ref.duplicates });
    expect(deduped).toMatchObject({
      rows_read: ref.read,
      rows_kept: ref.read - ref.rejected - ref.duplicates,
      rows_rejected: ref.rejected,
      rows_skipped: ref.duplicates,
    });
    expect(deduped.rows_read).toBe(deduped.rows_kept + deduped.rows_rejected + deduped.rows_skipped);
  });

  it('gives the revenue of the rows without a customer id, exactly', () => {
    const f = asIs.files[0];
    expect(f?.rejectedUnreadable).toEqual({});
    expect(f?.rejectedAmounts?.map((a) => [a.reason, a.currency, a.rows])).toEqual([['missing_customer_id', null, ref.rejected]]);
    expect(decimalUnits(f?.rejectedAmounts?.[0]?.amount ?? '')).toBe(ref.rejectedUnits);
    console.info(`Online Retail: ${ref.duplicates} duplicates kept; ${ref.rejected} rows without a customer id carry ${f?.rejectedAmounts?.[0]?.amount}`);
  });

  it('names the unused columns and shows the first rejected lines as read', () => {
    const f = asIs.files[0];
    if (!f) throw new Error('no file report');
    expect(unusedColumns(f)).toEqual(UNUSED);
    const cut = (t: string) => (t.length > 160 ? `${t.slice(0, 159)}…` : t);
    expect(asIs.rejected.slice(0, 100).map((r) => ({ line: r.line, text: r.text }))).toEqual(ref.firstRejected.map((r) => ({ line: r.line, text: cut(r.text) })));
    expect(asIs.rejected.filter((r) => r.text !== undefined)).toHaveLength(100);
  });
});
