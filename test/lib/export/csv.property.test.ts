/**
 * Properties of the CSV export over arbitrary tables: read back by papaparse (and, for a
 * sales-shaped table, by our own loader) every number comes back equal, every string comes
 * back equal once the guard apostrophe is removed where the export added one, and no text
 * cell starts with a character a spreadsheet would run as a formula.
 */
import fc from 'fast-check';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { BOM, toCsv, type CsvCell } from '../../../src/lib/export/csv.ts';
import { loadDataset } from '../../../src/lib/ingest/load.ts';

/** Written independently of csv.ts: OWASP's list (TAB, CR, LF included) plus the full-width forms. */
const FORMULA_FIRST = new Set(['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠']);
const startsFormula = (s: string): boolean => s.length > 0 && FORMULA_FIRST.has(s[0] as string);
const guarded = (s: string): string => (startsFormula(s) ? `'${s}` : s);

const PIECES = ['"', '""', ',', '\n', '\r', '\r\n', '\t', '=', '+', '-', '@', '＝', '＋', "'", ';', ' ', '中文', '客户', '😀', '👨‍👩‍👧', 'a', 'Z', '1', '.', 'e'];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.tuple(fc.constantFrom(...FORMULA_FIRST), fc.string({ maxLength: 10 })).map(([a, b]) => a + b),
);
const number = fc.double({ noNaN: true, noDefaultInfinity: true });

type Kind = 'text' | 'number';
const table = fc
  .array(fc.constantFrom<Kind>('text', 'number'), { minLength: 1, maxLength: 6 })
  .chain((kinds) =>
    fc.record({
      kinds: fc.constant(kinds),
      header: fc.array(text, { minLength: kinds.length, maxLength: kinds.length }),
      rows: fc.array(fc.tuple(...kinds.map((k): fc.Arbitrary<string | number> => (k === 'text' ? text : number))), { maxLength: 15 }),
    }),
  );

/** Papaparse on the file as written: BOM first, CRLF records, the last one terminated. */
function papa(csv: string): string[][] {
  expect(csv.startsWith(BOM)).toBe(true);
  expect(csv.endsWith('\r\n')).toBe(true);
  const body = csv.slice(BOM.length, -2);
  // One record of one empty field (a single-column table with an empty header).
  if (body === '') return [['']];
  return Papa.parse<string[]>(body, { newline: '\r\n', delimiter: ',' }).data;
}

describe('toCsv round trip (property)', () => {
  it('gives back every number and every string (guard removed), and guards every formula-leading text', () => {
    fc.assert(
      fc.property(table, ({ kinds, header, rows }) => {
        const parsed = papa(toCsv(header, rows as CsvCell[][]));
        expect(parsed).toHaveLength(rows.length + 1);
        expect(parsed[0]).toEqual(header.map(guarded));
        rows.forEach((row, r) => {
          const back = parsed[r + 1] ?? [];
          expect(back).toHaveLength(kinds.length);
          row.forEach((v, c) => {
            const cell = back[c] as string;
            if (typeof v === 'number') {
              expect(Number(cell) === v, `${cell} vs ${v}`).toBe(true);
            } else {
              expect(cell).toBe(guarded(v));
              expect(startsFormula(cell)).toBe(false);
              expect(startsFormula(v) ? cell.slice(1) : cell).toBe(v);
            }
          });
        });
      }),
      { numRuns: 400 },
    );
  });

  it('leaves numbers unguarded, negative ones included', () => {
    expect(toCsv(['amount', 'note'], [[-5, '-5']])).toBe(`${BOM}amount,note\r\n-5,'-5\r\n`);
  });
});

describe('toCsv read back by the loader (property)', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });

  // Ids the loader keeps as written: not blank, no surrounding whitespace, no NUL, no placeholder.
  const id = fc
    .tuple(fc.constantFrom(...FORMULA_FIRST, 'C', '中', '😀', '"', "'", ','), fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 6 }))
    .map(([first, rest]) => `${first}${rest}x`);
  const cents = fc.integer({ min: -1_000_000_00, max: 1_000_000_00 });
  const sales = fc.array(fc.record({ id, day: fc.integer({ min: 1, max: 28 }), cents }), { minLength: 1, maxLength: 12 });

  it('loads exported lines back with the guarded ids and the exact amounts', async () => {
    await fc.assert(
      fc.asyncProperty(sales, async (lines) => {
        const csv = toCsv(
          ['customer_id', 'order_date', 'amount'],
          lines.map((l) => [l.id, `2024-03-${String(l.day).padStart(2, '0')}`, l.cents / 100]),
        );
        const report = await loadDataset(db, [{ name: 'export.csv', bytes: new TextEncoder().encode(csv) }]);
        expect(report.rows_kept).toBe(lines.length);
        const back = await db.query<{ customer_id: string; d: string; cents: number }>(
          `SELECT customer_id, order_date::VARCHAR AS d, (amount * 100)::BIGINT::DOUBLE AS cents FROM lines ORDER BY line_no`,
        );
        expect(back).toEqual(
          lines.map((l) => ({ customer_id: guarded(l.id), d: `2024-03-${String(l.day).padStart(2, '0')}`, cents: l.cents })),
        );
      }),
      { numRuns: 25 },
    );
  }, 90_000);
});
