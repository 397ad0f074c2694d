/**
 * The manifest's `export_expectations` (value → CSV cell) checked on our CSV export: cell by
 * cell, and end to end (corpus file loaded, lines exported as the page does, read back by
 * papaparse and by our loader).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { BOM, csvCell } from '../../src/lib/export/csv.ts';
import { blobOf, csvChunks, CSV_TYPE, LINES_HEADER, openLines } from '../../src/lib/export/stream.ts';
import { inspectFile, loadDataset } from '../../src/lib/ingest/load.ts';

const DIR = join(import.meta.dirname, '../../../shared/corpus/hostile-sales');

interface ExportExpectation {
  value: string;
  csv_cell: string;
}
interface Entry {
  file: string;
  expect: { kept_rows: { customer_id: string; amount: string; name?: string }[]; export_expectations?: ExportExpectation[] };
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: Entry[] };
const withExpectations = manifest.files.filter((f) => f.expect.export_expectations !== undefined);

/** A single CSV field as a spreadsheet reads it (quotes removed, doubled quotes undone). */
function field(cell: string): string {
  const [row] = Papa.parse<string[]>(cell, { delimiter: ',', newline: '\r\n' }).data;
  expect(row).toHaveLength(1);
  return row?.[0] ?? '';
}

/**
 * Our one documented departure: full-width ＝ is guarded too (the manifest: "escaping it too
 * is harmless"), since WPS and Excel with East Asian input treat it as =.
 */
const FULL_WIDTH_GUARDED = new Set(['＝1+1']);

function expectedField(e: ExportExpectation): string {
  return FULL_WIDTH_GUARDED.has(e.value) ? `'${e.value}` : field(e.csv_cell);
}

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

describe('manifest export_expectations', () => {
  it('are present for the formula-injection file only', () => {
    expect(withExpectations.map((f) => f.file)).toEqual(['34_formula_injection_names.csv']);
    expect(withExpectations[0]?.expect.export_expectations).toHaveLength(10);
  });

  for (const entry of withExpectations) {
    const expectations = entry.expect.export_expectations ?? [];

    it(`${entry.file}: each value becomes the expected cell`, () => {
      for (const e of expectations) {
        const ours = csvCell(e.value);
        // Same field once unquoted; ours quotes only when RFC 4180 needs it.
        expect({ value: e.value, read: field(ours) }).toEqual({ value: e.value, read: expectedField(e) });
        if (/[",\r\n]/.test(ours)) expect(ours.startsWith('"') && ours.endsWith('"')).toBe(true);
      }
      // Where the manifest's cell needs no quotes, ours is the same text without them.
      expect(csvCell("'already quoted")).toBe("'already quoted");
      expect(csvCell('=1+2";=1+2')).toBe('"\'=1+2"";=1+2"');
    });

    it(`${entry.file}: loaded, exported as lines, read back by papaparse and by our loader`, async () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, entry.file)));
      const file = { name: entry.file, bytes };
      // The names are not a canonical field: the user maps 客户名称 to product in the mapper.
      const insp = await inspectFile(file);
      const nameColumn = insp.labels.indexOf('客户名称');
      expect(nameColumn).toBe(1);
      await loadDataset(db, [file], { overrides: [{ mapping: { ...insp.mapping, product: nameColumn } }] });

      const source = await openLines(db);
      const blob = await blobOf(csvChunks(source, LINES_HEADER), CSV_TYPE);
      await source.release();
      const csv = await blob.text();
      const raw = new Uint8Array(await blob.arrayBuffer());
      expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csv.startsWith(BOM)).toBe(false); // Blob.text() drops the BOM it decodes

      const rows = Papa.parse<string[]>(csv, { delimiter: ',', newline: '\r\n', skipEmptyLines: true }).data;
      const header = rows[0] ?? [];
      const col = (name: string) => header.indexOf(name);
      const kept = entry.expect.kept_rows;
      expect(rows.length - 1).toBe(kept.length);

      const byValue = new Map(expectations.map((e) => [e.value, e]));
      rows.slice(1).forEach((r, i) => {
        const want = kept[i];
        if (!want?.name) throw new Error(`kept_rows[${i}] has no name`);
        expect(r[col('customer_id')]).toBe(want.customer_id);
        // Numbers stay numbers: -5.00 is written as -5, no guard, no quotes.
        expect(Number(r[col('amount')])).toBe(Number(want.amount));
        expect(r[col('amount')]?.startsWith("'")).toBe(false);
        const e = byValue.get(want.name);
        if (!e) throw new Error(`no export expectation for ${want.name}`);
        // The loader trims text fields, so F06/F07 lose their leading TAB/CR on import;
        // the "=" that follows is then what gets guarded.
        const imported = want.name.replace(/^[\t\r]+/, '');
        const expected = imported === want.name ? expectedField(e) : `'${imported}`;
        expect({ id: want.customer_id, product: r[col('product')] }).toEqual({ id: want.customer_id, product: expected });
      });

      const again = await loadDataset(db, [{ name: 'lines.csv', bytes: raw }]);
      expect(again.rows_kept).toBe(kept.length);
      const back = await db.query<{ customer_id: string; product: string; amount: string }>(
        'SELECT customer_id, product, CAST(amount AS DECIMAL(18,2))::VARCHAR AS amount FROM lines ORDER BY line_no',
      );
      expect(back.map((b) => [b.customer_id, b.amount])).toEqual(kept.map((k) => [k.customer_id, k.amount]));
      // Read back, the guard stays (a spreadsheet shows the text; our loader keeps it verbatim).
      expect(back.map((b) => b.product)).toEqual(rows.slice(1).map((r) => r[col('product')]));
    });
  }
});
