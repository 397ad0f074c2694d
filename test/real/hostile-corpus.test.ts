/**
 * Every file of the hostile-sales corpus through `loadDataset`, compared with its manifest:
 * outcome, error code, kept rows (canonical form), rejected and skipped lines, warnings and
 * aggregates. Prints a per-file table; the list of mismatches must stay empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { loadDataset, type FileOverrides } from '../../src/lib/ingest/load.ts';
import { IngestError, type LoadReport } from '../../src/lib/ingest/types.ts';

const DIR = join(import.meta.dirname, '../../../shared/corpus/hostile-sales');

interface Expect {
  outcome: 'ok' | 'ok_with_warnings' | 'partial' | 'file_error';
  error_code: string | null;
  rows_kept: number;
  rejected: { line: number; reason: string }[];
  skipped: { line: number; reason: string }[];
  warnings: { code: string; count: number }[];
  kept_rows?: { customer_id: string; order_date: string; amount: string; currency: string | null }[];
  aggregates?: { sum_amount: string; refund_rows: number; distinct_customers: number; min_date: string; max_date: string };
  also_acceptable?: string[];
}
interface Entry {
  file: string;
  expect: Expect;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: Entry[] };

/**
 * Warnings the manifest does not track: the BOM note is informational (02 expects only
 * refund_rows although its BOM is stripped).
 */
const UNTRACKED_WARNINGS = new Set(['bom_stripped']);

/** Deliberate, documented departures from the first-listed expectation. */
const ACCEPTED: Record<string, string> = {
  '11_ambiguous_day_month.csv':
    'the load stops with AMBIGUOUS_DATE_ORDER (the manifest: "silently choosing is not [fine]"); re-run with the user\'s answer (day first) it matches kept_rows plus the ambiguous_day_month_order warning',
  '40_xlsx_renamed.csv': 'also_acceptable: read as xlsx and behave like 41_real_workbook.xlsx',
};
const RETRY: Record<string, FileOverrides> = {
  '11_ambiguous_day_month.csv': { parse: { dayMonthOrder: 'dmy' } },
};
const SAME_AS: Record<string, string> = { '40_xlsx_renamed.csv': '41_real_workbook.xlsx' };

interface Got {
  outcome: Expect['outcome'];
  error_code: string | null;
  report: LoadReport | null;
  kept: { customer_id: string; order_date: string; amount: string; currency: string | null }[];
  aggregates: Expect['aggregates'] | null;
}

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

async function run(file: string, overrides?: FileOverrides): Promise<Got> {
  const bytes = new Uint8Array(readFileSync(join(DIR, file)));
  let report: LoadReport;
  try {
    report = await loadDataset(db, [{ name: file, bytes }], overrides ? { overrides: [overrides] } : {});
  } catch (e) {
    if (!(e instanceof IngestError)) throw e;
    return { outcome: 'file_error', error_code: e.code, report: null, kept: [], aggregates: null };
  }
  const kept = (await db.query(`SELECT customer_id, order_date::VARCHAR AS order_date,
      CAST(amount AS DECIMAL(18,2))::VARCHAR AS amount, currency FROM lines ORDER BY file_no, line_no`)) as Got['kept'];
  const [agg] = await db.query(`SELECT CAST(coalesce(sum(amount), 0) AS DECIMAL(18,2))::VARCHAR AS sum_amount,
      count(*) FILTER (WHERE amount < 0)::INTEGER AS refund_rows,
      count(DISTINCT customer_id)::INTEGER AS distinct_customers,
      min(order_date)::VARCHAR AS min_date, max(order_date)::VARCHAR AS max_date FROM lines`);
  const tracked = report.warnings.filter((w) => !UNTRACKED_WARNINGS.has(w.code));
  const outcome = report.rows_rejected > 0 ? 'partial' : tracked.length > 0 ? 'ok_with_warnings' : 'ok';
  return { outcome, error_code: null, report, kept, aggregates: agg as Got['aggregates'] };
}

function compare(e: Expect, g: Got): string[] {
  const bad: string[] = [];
  const same = (what: string, want: unknown, got: unknown) => {
    if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`${what}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  };
  same('outcome', e.outcome, g.outcome);
  same('error_code', e.error_code, g.error_code);
  if (e.outcome === 'file_error' || !g.report) return bad;
  same('rows_kept', e.rows_kept, g.report.rows_kept);
  same('rejected', e.rejected.map((r) => [r.line, r.reason]), g.report.rejected.map((r) => [r.line, r.reason]));
  same('skipped', e.skipped.map((r) => [r.line, r.reason]), g.report.skipped.map((r) => [r.line, r.reason]));
  const warn = (ws: readonly { code: string; count: number }[]) =>
    ws.filter((w) => !UNTRACKED_WARNINGS.has(w.code)).map((w) => `${w.code}×${w.count}`).sort();
  same('warnings', warn(e.warnings), warn(g.report.warnings));
  if (e.kept_rows) {
    same('kept_rows', e.kept_rows.map((r) => [r.customer_id, r.order_date, r.amount, r.currency]), g.kept.map((r) => [r.customer_id, r.order_date, r.amount, r.currency]));
  }
  if (e.aggregates) {
    const { sum_amount, refund_rows, distinct_customers, min_date, max_date } = e.aggregates;
    same('aggregates', { sum_amount, refund_rows, distinct_customers, min_date, max_date }, g.aggregates);
  }
  const r = g.report;
  same('accounting', r.rows_read, r.rows_kept + r.rows_rejected + r.rows_skipped);
  return bad;
}

describe('hostile-sales corpus', () => {
  it('loads all 45 files as the manifest expects', async () => {
    expect(manifest.files).toHaveLength(45);
    const byName = new Map(manifest.files.map((f) => [f.file, f.expect]));
    const table: string[] = [];
    const mismatches: string[] = [];
    for (const { file, expect: want } of manifest.files) {
      let got = await run(file);
      let e = want;
      const retry = RETRY[file];
      if (retry) {
        if (got.error_code !== 'AMBIGUOUS_DATE_ORDER') mismatches.push(`${file}: first load should ask for the date order, got ${got.error_code ?? got.outcome}`);
        got = await run(file, retry);
      }
      const sameAs = SAME_AS[file];
      if (sameAs && got.outcome !== 'file_error') e = byName.get(sameAs) ?? want;
      const bad = compare(e, got);
      const note = ACCEPTED[file] ? ' (accepted: see ACCEPTED)' : '';
      table.push(
        `${file.padEnd(44)} want ${want.outcome.padEnd(16)} ${String(want.error_code ?? want.rows_kept).padEnd(24)}` +
          ` got ${got.outcome.padEnd(16)} ${String(got.error_code ?? got.report?.rows_kept).padEnd(24)} ${bad.length ? 'MISMATCH' : 'ok'}${note}`,
      );
      for (const b of bad) mismatches.push(`${file}: ${b}`);
    }
    console.log(table.join('\n'));
    if (mismatches.length) console.log(mismatches.join('\n'));
    expect(mismatches).toEqual([]);
  });

  it('keeps tables intact when a later file fails, and never runs a file name as SQL', async () => {
    const read = (f: string) => ({ name: f, bytes: new Uint8Array(readFileSync(join(DIR, f))) });
    await loadDataset(db, [read("37_filename_inject'); SELECT 1; --.csv")]);
    const before = await db.query('SELECT count(*)::INTEGER AS n, sum(amount)::DOUBLE AS s FROM lines');
    await expect(loadDataset(db, [read('02_utf8_bom.csv'), read('30_duplicate_amount_columns.csv')])).rejects.toThrow(
      /AMBIGUOUS_COLUMN_MAPPING/,
    );
    await expect(loadDataset(db, [read('02_utf8_bom.csv'), read('11_ambiguous_day_month.csv')])).rejects.toThrow(
      /AMBIGUOUS_DATE_ORDER/,
    );
    expect(await db.query('SELECT count(*)::INTEGER AS n, sum(amount)::DOUBLE AS s FROM lines')).toEqual(before);
    // The tables of the first load, and no staging table of the failed ones left behind.
    const tables = await db.query("SELECT table_name FROM information_schema.tables ORDER BY table_name");
    expect(tables.map((t) => t.table_name)).toEqual(['customer_info', 'lines', 'survey']);
  });
});
