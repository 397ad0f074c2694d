/**
 * Text files read by the engine (typed-csv.ts) against the normalizer (the reference, the
 * load with `typedCsv: false`): random near-miss files must give the same `lines` table and
 * the same load report; each reason a file is left to the normalizer has a fixture.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../../src/lib/db/client.ts';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import type { SqlQuery } from '../../../src/lib/db/sql.ts';
import type { LoadOptions } from '../../../src/lib/ingest/load.ts';
import { createRawSql, RAW_FLAG } from '../../../src/lib/ingest/build-lines.ts';
import { normalize, previewText } from '../../../src/lib/ingest/normalize.ts';
import { simpleCellSpec } from '../../../src/lib/ingest/simple-cells.ts';
import { scoreHeader } from '../../../src/lib/ingest/mapping.ts';
import { typedCsvPlan, typedRawInEngine } from '../../../src/lib/ingest/typed-csv.ts';
import type { ColumnMapping } from '../../../src/lib/ingest/types.ts';
import { loadOutcome, type LoadOutcome } from './table-dumps.ts';
import { PassThroughDb } from './pass-through-db.ts';
import { BlockingWasmDb } from '../db/wasm-blocking.ts';

/** Counts the loads whose raw table the engine read from the file itself. */
class CountingDb extends PassThroughDb {
  engineReads = 0;
  normalizedReads = 0;
  simpleStages = 0;
  directLines = 0;
  formattedDirect = 0;
  /** Loads whose simple records went straight into the lines and the other rows through a stage of their own. */
  splitLines = 0;
  /** Those of them with kept rows among the others, merged into the lines in line order. */
  mergedLines = 0;
  override exec(q: SqlQuery | string): Promise<void> {
    const text = typeof q === 'string' ? q : q.text;
    if (text.includes('row_number() OVER ()') && text.includes('read_csv(')) this.engineReads++;
    else if (text.includes('read_csv(')) this.normalizedReads++;
    if (/'iso'(?: END)? AS date_kind/.test(text)) this.simpleStages++;
    if (/^INSERT INTO "lines__next"[\s\S]*'iso'(?: END)? AS date_kind/.test(text)) this.directLines++;
    if (/^INSERT INTO "lines__next"[\s\S]*'ymd' ELSE 'iso' END AS date_kind/.test(text)) this.formattedDirect++;
    if (/_raw" AS SELECT \* FROM \S*raw__\d+" WHERE NOT /.test(text)) this.splitLines++;
    if (/^INSERT INTO "lines__next"[\s\S]*AS date_kind[\s\S]*UNION ALL/.test(text)) this.mergedLines++;
    return this.db.exec(q);
  }
}

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});



type Outcome = LoadOutcome;

const load = loadOutcome;

/** Loads `text` through the normalizer and the default way; expects one outcome and says which way the default took. */
async function expectSameLoads(
  text: string | Uint8Array,
  options: LoadOptions = {},
): Promise<{ outcome: Outcome; engine: boolean; simpleStage: boolean; direct: boolean; formattedDirect: boolean; split: boolean; merged: boolean }> {
  const reference = await load(db, text, { ...options, typedCsv: false });
  const counting = new CountingDb(db);
  const typed = await load(counting, text, options);
  expect(typed).toEqual(reference);
  // And the page's way for a large file: from a Blob, a piece at a time (pieces of 1–13 bytes,
  // or, for a long text, of a size that makes ~2,000 pieces: 36 kB a byte at a time took 30 s).
  const pieceBytes = Math.max(1 + (text.length % 13), Math.ceil(text.length / 2000));
  expect(await load(db, text, { ...options, piecesFrom: 0, pieceBytes }, true)).toEqual(reference);
  return { outcome: reference, engine: counting.engineReads > 0 && counting.normalizedReads === 0, simpleStage: counting.simpleStages > 0, direct: counting.directLines > 0, formattedDirect: counting.formattedDirect > 0, split: counting.splitLines > 0, merged: counting.mergedLines > 0 };
}

/**
 * The raw table both ways: the normalizer's (normalize + createRawSql) and the engine's.
 * Null when the file does not qualify or the engine refuses it.
 */
async function rawBoth(text: string, headerLine: number, mapping: ColumnMapping): Promise<{ js: Row[]; engine: Row[] } | null> {
  const utf8 = new TextEncoder().encode(text.replace(/^\ufeff/, ''));
  const preview = previewText(utf8, { scoreHeader, headerLine });
  const simple = simpleCellSpec(mapping, preview.columnCount);
  const plan = typedCsvPlan(utf8, preview, simple);
  if (typeof plan === 'string') return null;
  const paths: string[] = [];
  for (const chunk of normalize(utf8, preview, { simpleCells: simple })) paths.push(await db.registerBuffer(chunk.bytes));
  await db.exec(createRawSql('raw_js', paths, preview.columnCount));
  for (const p of paths) await db.dropBuffer(p);
  if ((await typedRawInEngine(db, utf8, plan, 'raw_engine', () => {})) === 'unsupported') return null;
  const dump = (t: string) => db.query(`SELECT * EXCLUDE (line_no, flag), line_no::INTEGER AS line_no, flag::INTEGER AS flag FROM ${t} ORDER BY line_no`);
  return { js: await dump('raw_js'), engine: await dump('raw_engine') };
}

/**
 * GB18030 bytes of `text` (Node has no GB18030 encoder): a table built by decoding every
 * two-byte code and the four-byte codes of the BMP and of the first supplementary planes.
 */
let gbTable: Map<number, number[]> | null = null;
function gb18030(text: string): Uint8Array {
  if (gbTable === null) {
    const table = new Map<number, number[]>();
    const decoder = new TextDecoder('gb18030');
    const add = (codes: number[][]) => {
      const chars = [...decoder.decode(new Uint8Array(codes.flat()))];
      if (chars.length !== codes.length) throw new Error('misaligned GB18030 table');
      codes.forEach((c, i) => {
        const cp = (chars[i] as string).codePointAt(0) as number;
        if (cp !== 0xfffd && !table.has(cp)) table.set(cp, c);
      });
    };
    const two: number[][] = [];
    for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) if (b !== 0x7f) two.push([a, b]);
    add(two);
    const four: number[][] = [];
    for (const a of [0x81, 0x82, 0x83, 0x84]) {
      for (let b = 0x30; b <= 0x39; b++) for (let c = 0x81; c <= 0xfe; c++) for (let d = 0x30; d <= 0x39; d++) four.push([a, b, c, d]);
    }
    add(four);
    gbTable = table;
  }
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out.push(cp);
    else if (cp >= 0x10000) {
      // Beyond the BMP the four-byte codes run in order from 90 30 81 30.
      const i = cp - 0x10000;
      out.push(0x90 + Math.floor(i / 12600), 0x30 + (Math.floor(i / 1260) % 10), 0x81 + (Math.floor(i / 10) % 126), 0x30 + (i % 10));
    } else {
      const code = gbTable.get(cp);
      if (code === undefined) throw new Error(`no GB18030 code for ${JSON.stringify(ch)}`);
      out.push(...code);
    }
  }
  return new Uint8Array(out);
}

// ── random near-miss files ───────────────────────────────────────────────────────────────

const ids = fc.oneof(
  fc.constantFrom('C001', 'C002', 'C003', ' C004', 'C005 ', '00123', 'null', 'N/A', '-', '合计', '小计：3', 'Total', 'nıl', '客户甲',
    '会员\u3000乙', '1.38E+10', '\u00a0C006', 'C\u00a0007', '  ', '\u3000', 'ſum', 'undefined', '无', 'Grand total', '', '客户ID', 'a\u001fb',
    'Smith, John', 'O"Brien', 'a;b|c', 'C\t8', '"C009"', ' "C010"'),
  fc.stringMatching(/^[A-Za-z0-9 ]{0,5}$/),
);
const orders = fc.constantFrom('2312120001', '', 'N/A', ' 77', 'O-1', 'nıl', '订单号');
const dates = fc.constantFrom('2023-01-05', '2023-01-05 08:26', '2023-01-05 08:26:59', '2023/1/5', '5/1/2023', '13/1/2023', '2023年1月5日',
  '20230105', '45000', '1700000000000', 'junk', '2023-02-30', ' 2023-01-05', '2023-01-05 ', '2023-01-05T08:26:00+08:00', '', '２０２３-01-05',
  '9999-12-31', '0001-01-01', '2023-13-01', '2023-1-5', '2023-01-05 25:00', '下单时间', 'infinity');
const amounts = fc.constantFrom('12.50', '31.97', '-5.00', '0', '1.23456', '0.00005', '9999999.9999', '12345678901234567890', '￥1,234.50',
  '(5.00)', 'RMB 99', '$5', '1e3', '', ' 7 ', '-0.5', '12.3.4', '.5', '5.', '+3', '实付金额', '12.5元', '1,234.50', '￥1,234.50', '1;5', '"7"');
const quantities = fc.constantFrom('1', '2', '', '-1', '0.5', 'x', '数量');
const products = fc.constantFrom('数据线', '坚果礼盒', ' 耳机', 'Tee ', '平均', '', '\t', '𠀋字', 'a b', 'Sum', '12" screen', 'box, large', '"', '""', 'x|y;z');
const scores = fc.constantFrom('4', '5', '', '3.5', '-1', '10', '4,5', 'x', '满意度');
const notes = fc.constantFrom('', '备注', 'ok', '  ', 'note: x', 'a, b', 'say "hi"');

const costs = fc.constantFrom('1.00', '', '-2', 'x', '3.14159');
const row = fc.tuple(ids, orders, dates, amounts, quantities, products, scores, costs, notes);
/** Rows whose mapped cells are all clean (simple), with the values that are still rejected. */
const cleanRow = fc.tuple(
  fc.constantFrom('C001', 'C002', 'C003', '客户甲', 'c-9', 'Ab 1'),
  fc.constantFrom('2312120001', '', 'O-1', '77'),
  // Mostly kept; now and then a date that does not exist or an amount that is missing or too large.
  fc.oneof(
    { arbitrary: fc.constantFrom('2023-01-05', '2023-01-05 08:26', '2024-02-29 23:59:59', '9999-12-31', '0001-01-01'), weight: 12 },
    { arbitrary: fc.constantFrom('2023-02-30', '2023-01-05 25:00'), weight: 1 },
  ),
  // Quantity × price stays below 9.2e10: a larger product overflows the engine's decimal product and fails the load (the full rules too).
  fc.oneof(
    { arbitrary: fc.constantFrom('12.50', '31.97', '-5.00', '0', '1.23456', '0.00005', '9999999.9999'), weight: 12 },
    { arbitrary: fc.constantFrom('12345678901234567890', ''), weight: 1 },
  ),
  fc.constantFrom('1', '2', '', '-1', '0.5', '1000'),
  fc.constantFrom('数据线', '坚果礼盒', '', 'a b', 'Sum', 'box, large', 'a;b|c'),
  fc.constantFrom('4', '5', '', '3.5', '10'),
  fc.constantFrom('1.00', '', '-2', '3.14159'),
  fc.constantFrom('', '备注', 'ok', '  ', 'note: x', 'a, b'),
);
/**
 * Rows as a formatted report's export writes them: amounts with a sign and groups of three
 * (`-￥1,234.50`, `$5.00`, plain ones too), dates with slashes or ISO; mostly kept, now and
 * then a date that does not exist or a missing amount.
 */
const formattedRow = fc.tuple(
  fc.constantFrom('C001', 'C002', '客户甲', 'c-9'),
  fc.constantFrom('2312120001', '', 'O-1'),
  fc.oneof(
    { arbitrary: fc.constantFrom('2023/12/12 22:44', '2024/02/29', '2023/01/05 08:26:59', '2023-01-05', '2023-01-05 08:26'), weight: 12 },
    { arbitrary: fc.constantFrom('2023/02/30 10:00', '2023/13/01'), weight: 1 },
  ),
  fc.oneof(
    { arbitrary: fc.constantFrom('￥1,234.50', '-￥5.00', '￥39.00', '¥12,345,678.90', '31.97', '1,000', '-1,234.5'), weight: 12 },
    { arbitrary: fc.constantFrom('$5.00', '€1,000.00', '£0.50'), weight: 2 },
    { arbitrary: fc.constantFrom('', '￥99,999,999,999,999.00'), weight: 1 },
  ),
  fc.constantFrom('1', '2', '1,000', '-1'),
  fc.constantFrom('数据线', '坚果礼盒', '', 'a b'),
  fc.constantFrom('4', '5', ''),
  fc.constantFrom('￥31.22', '1.00', '', '-￥2.00', '1,234.00'),
  fc.constantFrom('', '备注', 'ok'),
);
const HEADER = ['客户ID', '订单号', '下单时间', '实付金额', '数量', '商品', '满意度', '成本', '备注'];
const MAPPINGS = [
  { customer: 0, order: 1, date: 2, amount: 3, quantity: 4, product: 5, score: 6, cost: 7 },
  { customer: 0, order: 1, date: 2, unit_price: 3, quantity: 4, category: 5, profit: 7 },
  { order: 0, customer: 1, date: 2, amount: 3, region: 5, channel: 8 },
];

/** A line that breaks the engine's conditions, put somewhere in an otherwise clean file. */
const structural = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' }), weight: 2 },
  { arbitrary: fc.constantFrom(
  { kind: 'trailing_delimiter' },
  { kind: 'short_row' },
  { kind: 'long_row' },
  { kind: 'blank_line' },
  { kind: 'quote' },
  { kind: 'only_delimiters' },
  { kind: 'spaces_only' },
  { kind: 'nul' },
  { kind: 'lone_cr' },
  { kind: 'subtotal' },
  { kind: 'stray_quote' },
  { kind: 'space_before_quote' },
  { kind: 'space_after_quote' },
  { kind: 'text_after_quote' },
  { kind: 'quoted_newline' },
  { kind: 'unclosed_quote' },
  { kind: 'quoted_empties' },
  { kind: 'quoted_spaces' },
  { kind: 'doubled_quotes' },
  ), weight: 1 },
);

const fileArb = fc.record({
  rows: fc.oneof(
    fc.array(row, { minLength: 1, maxLength: 12 }),
    fc.array(cleanRow, { minLength: 1, maxLength: 12 }),
    fc.array(formattedRow, { minLength: 1, maxLength: 12 }),
  ),
  mapping: fc.nat({ max: MAPPINGS.length - 1 }),
  dups: fc.array(fc.nat({ max: 11 }), { maxLength: 3 }),
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  header: fc.boolean(),
  crlf: fc.boolean(),
  finalBreak: fc.boolean(),
  bom: fc.boolean(),
  structural,
  at: fc.nat({ max: 14 }),
  dedupe: fc.boolean(),
  simpleCells: fc.constantFrom(true, true, false),
  /** How cells are quoted: never (a cell with the delimiter or a quote breaks its line), as Excel does (when needed), or every cell. */
  quoting: fc.constantFrom('none', 'excel', 'excel', 'excel', 'all'),
  quotedHeader: fc.boolean(),
  /** Lines above the header: title rows, an empty one, a quoted one, one with a stray quote. */
  titles: fc.oneof(
    { arbitrary: fc.constant([]), weight: 3 },
    { arbitrary: fc.constantFrom(['销售明细（导出）'], ['销售明细（导出）', ''], ['"Report, 2023"', '  '], ['Report "2023"'], ['"x""y",z,,,,,,,,,,']), weight: 1 },
  ),
});

type FileSpec = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

/** A cell as written under `quoting`: Excel quotes a cell holding the delimiter, a quote or a line break, doubling its quotes. */
function quoteCell(cell: string, delimiter: string, quoting: string): string {
  const needs = cell.includes(delimiter) || /["\r\n]/.test(cell);
  return quoting === 'all' || (quoting === 'excel' && needs) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

const headerLineOf = (f: FileSpec) => (f.header ? f.titles.length + 1 : 0);

function fileText(f: FileSpec): string {
  const q = (r: readonly string[]) => r.map((c) => quoteCell(c, f.delimiter, f.quoting)).join(f.delimiter);
  const rows = [...f.rows, ...f.dups.flatMap((i) => (f.rows[i] ? [f.rows[i]] : []))].map(q);
  const extra: Record<string, string | null> = {
    none: null,
    trailing_delimiter: `${['C9', '1', '2023-01-05', '1', '1', 'p', '4', '1', 'n'].join(f.delimiter)}${f.delimiter}`,
    short_row: `合计${f.delimiter}${f.delimiter}${f.delimiter}100`,
    long_row: Array.from({ length: 10 }, (_, k) => `v${k}`).join(f.delimiter),
    blank_line: '',
    quote: ['"C,1"', '1', '2023-01-05', '1', '1', 'p', '4', '1', 'n'].join(f.delimiter),
    only_delimiters: f.delimiter.repeat(8),
    spaces_only: ` ${f.delimiter} ${f.delimiter.repeat(7)}`,
    nul: ['C\u00009', '1', '2023-01-05', '1', '1', 'p', '4', '1', 'n'].join(f.delimiter),
    lone_cr: ['C9', '1', '2023-01-05', '1\r1', '1', 'p', '4', '1', 'n'].join(f.delimiter),
    subtotal: ['小计', '', '', '100.00', '', '', '', '', ''].join(f.delimiter),
    stray_quote: ['C9', '1', '2023-01-05', '1', '1', '12"', '4', '1', 'n'].join(f.delimiter),
    space_before_quote: ['C9', '1', '2023-01-05', ' "1"', '1', 'p', '4', '1', 'n'].join(f.delimiter),
    space_after_quote: ['C9', '1', '2023-01-05', '"1" ', '1', 'p', '4', '1', 'n'].join(f.delimiter),
    text_after_quote: ['C9', '1', '2023-01-05', '1', '1', '"p"q', '4', '1', 'n'].join(f.delimiter),
    quoted_newline: ['C9', '1', '2023-01-05', '1', '1', '"p\nq"', '4', '1', 'n'].join(f.delimiter),
    unclosed_quote: ['C9', '1', '2023-01-05', '1', '1', '"p', '4', '1', 'n'].join(f.delimiter),
    quoted_empties: Array.from({ length: 9 }, () => '""').join(f.delimiter),
    quoted_spaces: ['" "', '""', '"\t"', '', '', '', '', '', '" "'].join(f.delimiter),
    doubled_quotes: ['"C""9"', '1', '2023-01-05', '"1"', '1', '""""', '4', '1', '"n"'].join(f.delimiter),
  };
  const line = extra[f.structural.kind];
  if (line !== null && line !== undefined) rows.splice(Math.min(f.at, rows.length), 0, line);
  const header = f.quotedHeader ? HEADER.map((h) => `"${h}"`).join(f.delimiter) : HEADER.join(f.delimiter);
  const lines = f.header ? [...f.titles, header, ...rows] : rows;
  const eol = f.crlf ? '\r\n' : '\n';
  return `${f.bom ? '\ufeff' : ''}${lines.join(eol)}${f.finalBreak ? eol : ''}`;
}

describe('text files read by the engine', () => {
  it('loads random near-miss files exactly as the normalizer does: same lines, customer info and report', async () => {
    let engine = 0;
    let simpleStages = 0;
    let direct = 0;
    let formattedDirect = 0;
    let split = 0;
    let merged = 0;
    let mixedDates = 0;
    let quoted = 0;
    let titled = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async (f) => {
        const { engine: viaEngine, simpleStage: viaSimpleStage, direct: viaDirect, formattedDirect: viaFormatted, split: viaSplit, merged: viaMerged } = await expectSameLoads(fileText(f), {
          simpleCells: f.simpleCells,
          overrides: [{ mapping: MAPPINGS[f.mapping], headerLine: headerLineOf(f), parse: { dayMonthOrder: 'dmy', ...(f.dedupe ? { dedupe: true } : {}) } }],
        });
        runs++;
        if (viaEngine) engine++;
        if (viaEngine && fileText(f).includes('"')) quoted++;
        if (viaEngine && f.header && f.titles.length > 0) titled++;
        if (viaSimpleStage) simpleStages++;
        if (viaDirect) direct++;
        if (viaFormatted) formattedDirect++;
        if (viaSplit) split++;
        if (viaMerged) merged++;
        if (viaFormatted && fileText(f).includes('/') && /-\d\d-/.test(fileText(f))) mixedDates++;
      }),
      { numRuns: 200, seed: 20261206 },
    );
    // The property means something only if both shortcuts were taken often.
    expect(engine).toBeGreaterThan(runs / 4);
    expect(simpleStages).toBeGreaterThan(runs / 10);
    expect(direct).toBeGreaterThan(runs / 20);
    expect(simpleStages).toBeGreaterThan(direct);
    // Formatted exports straight into the lines too, some with ISO and slash dates mixed.
    expect(formattedDirect).toBeGreaterThan(runs / 40);
    expect(mixedDates).toBeGreaterThan(0);
    // Files with a few rows that are not simple records (a title, a 合计 line, a padded id): those staged, the rest straight in.
    expect(split).toBeGreaterThan(runs / 10);
    // Some with kept rows among those staged (merged in line order), some with none (no merge).
    expect(merged).toBeGreaterThan(runs / 50);
    expect(split - merged).toBeGreaterThan(runs / 40);
    // Quoted files and files with lines above the header among those the engine read.
    expect(quoted).toBeGreaterThan(runs / 10);
    expect(titled).toBeGreaterThan(runs / 40);
  }, 400_000);

  it('makes the raw table the normalizer makes: same lines, flags and cells (a blank line is flagged data)', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async (f) => {
        const both = await rawBoth(fileText(f), headerLineOf(f), MAPPINGS[f.mapping] as ColumnMapping);
        if (both === null) return;
        compared++;
        // Above the header, the engine's rows are the normalizer's own (typed-csv.ts inserts them).
        const below = (r: Row | undefined) => r?.flag === RAW_FLAG.blank && Number(r.line_no) > headerLineOf(f);
        const expected = both.js.map((r) => (below(r) ? { ...r, flag: RAW_FLAG.data } : r));
        const engine = both.engine.map((r, i) => (below(both.js[i]) ? { ...r, ...Object.fromEntries(Object.keys(r).filter((k) => /^c[0-9]+$/.test(k)).map((k) => [k, null])) } : r));
        expect(engine).toEqual(expected);
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(compared).toBeGreaterThan(100);
  }, 300_000);

  it('loads random near-miss files in GB18030 exactly as the normalizer does', async () => {
    let engine = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async (f) => {
        const { engine: viaEngine } = await expectSameLoads(gb18030(fileText(f)), {
          simpleCells: f.simpleCells,
          overrides: [{ encoding: 'gb18030', mapping: MAPPINGS[f.mapping], headerLine: headerLineOf(f), parse: { dayMonthOrder: 'dmy', ...(f.dedupe ? { dedupe: true } : {}) } }],
        });
        runs++;
        if (viaEngine) engine++;
      }),
      { numRuns: 40, seed: 18030 },
    );
    expect(engine).toBeGreaterThan(runs / 5);
  }, 200_000);

  it('reads a clean file with the subtle rows the rules handle: a hand-worked fixture', async () => {
    // Line 1 header. 2: kept. 3: the same line again (kept, counted as a duplicate). 4: a
    // return (-5.0000, kept, a refund). 5: 合计 (summary_row, skipped). 6: the header again
    // (its date 下单时间 does not parse: rejected). 7: only delimiters (blank_row, skipped).
    // 8: 1.23456 rounds to 1.2346 (kept). 9: 2023-02-30 (unparseable_date, rejected).
    // 10: ' C4' (trimmed to C4, kept, a warning). 11: 12345678901234567890 does not fit
    // DECIMAL(18,4) (unparseable_amount, rejected).
    const text = [
      '客户ID,下单时间,实付金额,备注',
      'C1,2023-01-05,31.97,a',
      'C1,2023-01-05,31.97,a',
      'C2,2023-01-06 08:26,-5.00,',
      '合计,,26.97,',
      '客户ID,下单时间,实付金额,备注',
      ',,,',
      'C3,2023-12-31 23:59:59,1.23456,b',
      'C3,2023-02-30,1,',
      ' C4,2024-02-29,0,',
      'C5,2024-03-01,12345678901234567890,',
    ].join('\n');
    const { outcome, engine } = await expectSameLoads(text);
    expect(engine).toBe(true);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.report).toMatchObject({ rows_read: 10, rows_kept: 5, rows_rejected: 3, rows_skipped: 2 });
    expect(outcome.report.skipped).toEqual([
      { file: 0, line: 5, reason: 'summary_row' },
      { file: 0, line: 7, reason: 'blank_row' },
    ]);
    expect(outcome.report.rejected.map((r) => [r.line, r.reason, r.value])).toEqual([
      [6, 'unparseable_date', '下单时间'],
      [9, 'unparseable_date', '2023-02-30'],
      [11, 'unparseable_amount', '12345678901234567890'],
    ]);
    expect(outcome.lines.map((l) => [l.line_no, l.customer_id, l.ts, l.amount])).toEqual([
      [2, 'C1', '2023-01-05 00:00:00', '31.9700'],
      [3, 'C1', '2023-01-05 00:00:00', '31.9700'],
      [4, 'C2', '2023-01-06 08:26:00', '-5.0000'],
      [8, 'C3', '2023-12-31 23:59:59', '1.2346'],
      [10, 'C4', '2024-02-29 00:00:00', '0.0000'],
    ]);
    const codes = outcome.report.files[0]?.warnings.map((w) => [w.code, w.count]);
    expect(codes).toEqual(expect.arrayContaining([['exact_duplicate_rows', 1], ['refund_rows', 1], ['ids_whitespace_trimmed', 1]]));
  });

  it('loads a file whose rows are all kept straight into lines: a hand-worked fixture', async () => {
    // Every row simple and kept. Line 3 repeats line 2 (one duplicate); line 4 is a return
    // (-5.0000, one refund); line 5 has 1.23456 × 2: 1.2346 × 2.0000 = 2.4692. The contact
    // column (联系电话) keeps the latest non-empty phone per customer: C1's at line 3.
    const text = [
      '客户ID,下单时间,单价,数量,联系电话,地址',
      'C1,2023-01-05,31.97,1,138 0000,北京',
      'C1,2023-01-05,31.97,1,138 0000,北京',
      'C2,2023-01-06 08:26,-5.00,1,,上海',
      'C3,2023-12-31 23:59:59,1.23456,2,,',
    ].join('\n');
    const counting = new CountingDb(db);
    const outcome = await load(counting, text, {});
    expect(counting.directLines).toBe(1);
    expect(await load(db, text, { typedCsv: false })).toEqual(outcome);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.report).toMatchObject({ rows_read: 4, rows_kept: 4, rows_rejected: 0, rows_skipped: 0 });
    expect(outcome.lines.map((l) => [l.line_no, l.customer_id, l.amount, l.quantity, l.unit_price])).toEqual([
      [2, 'C1', '31.9700', 1, 31.97],
      [3, 'C1', '31.9700', 1, 31.97],
      [4, 'C2', '-5.0000', 1, -5],
      [5, 'C3', '2.4692', 2, 1.2346],
    ]);
    expect(outcome.report.files[0]?.warnings.filter((w) => w.code === 'exact_duplicate_rows' || w.code === 'refund_rows')).toEqual([
      { code: 'exact_duplicate_rows', count: 1 },
      { code: 'refund_rows', count: 1 },
    ]);
    expect(outcome.info.map((r) => [r.customer_id, r.phone, r.line_no, r.cells])).toEqual([
      ['C1', '138 0000', 3, '[北京]'],
      ['C2', null, 4, '[上海]'],
      ['C3', null, 5, '[NULL]'],
    ]);
  });

  it('loads a formatted export whose rows are all kept straight into lines: a hand-worked fixture', async () => {
    // The shape of an Excel "Save as CSV" of a formatted report, in GB18030 with a title line.
    // Line 3: ￥1,234.50 at 2023/12/12 22:44 (formatted). 4: a plain row, ISO date (simple).
    // 5: a refund of -￥5.00. 6: $5.00, a second currency. Every row kept; the date forms
    // (iso, ymd) and currencies (CNY, USD) are mixed, as the full rules report them.
    const text = [
      '销售明细（导出）',
      '客户ID,下单时间,实付金额,成本',
      'C1,2023/12/12 22:44,"￥1,234.50",￥31.22',
      'C2,2023-01-06,31.97,1.00',
      'C1,2024/02/29,-￥5.00,',
      'C3,2024/03/01 08:00:59,$5.00,"1,000.00"',
    ].join('\r\n');
    const counting = new CountingDb(db);
    const options: LoadOptions = { overrides: [{ encoding: 'gb18030', headerLine: 2 }] };
    const outcome = await load(counting, gb18030(text), options);
    expect(counting.formattedDirect).toBe(1);
    expect(await load(db, gb18030(text), { ...options, typedCsv: false })).toEqual(outcome);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.report).toMatchObject({ rows_read: 5, rows_kept: 4, rows_rejected: 0, rows_skipped: 1 });
    expect(outcome.lines.map((l) => [l.line_no, l.customer_id, l.ts, l.amount, l.cost, l.profit, l.currency])).toEqual([
      [3, 'C1', '2023-12-12 22:44:00', '1234.5000', '31.2200', '1203.2800', 'CNY'],
      [4, 'C2', '2023-01-06 00:00:00', '31.9700', '1.0000', '30.9700', null],
      [5, 'C1', '2024-02-29 00:00:00', '-5.0000', null, null, 'CNY'],
      [6, 'C3', '2024-03-01 08:00:59', '5.0000', '1000.0000', '-995.0000', 'USD'],
    ]);
    expect(outcome.report.files[0]?.warnings.filter((w) => ['refund_rows', 'mixed_date_formats', 'multiple_currencies'].includes(w.code))).toEqual([
      { code: 'refund_rows', count: 1 },
      { code: 'mixed_date_formats', count: 1, detail: 'iso,ymd' },
      { code: 'multiple_currencies', count: 1, detail: 'CNY,USD' },
    ]);
  });

  it('stages the rows that are not simple records in slices only when they are many, with the same result', async () => {
    // 60 simple records but every `every`-th id padded with spaces (kept, staged), a title line and a 合计 line.
    const fileWith = (every: number) =>
      [
        '销售明细',
        '客户ID,下单时间,实付金额',
        ...Array.from({ length: 60 }, (_, k) => `${k % every === 0 ? ` C${k} ` : `C${k}`},2023-01-${String(1 + (k % 28)).padStart(2, '0')},${k}.5`),
        '合计,,1800',
      ].join('\n');
    const othersStaged = (text: string) => (text.match(/^\s*(?:CREATE OR REPLACE (?:TEMP )?TABLE|INSERT INTO) \S*"stage__0" /gm) ?? []).length;
    // 6 padded ids + 2: within the 20 lines of a slice, one statement; 20 + 2 over lines 1 … 63: in slices.
    for (const [every, sliced] of [
      [10, false],
      [3, true],
    ] as const) {
      const text = fileWith(every);
      let stageStatements = 0;
      const counting = new (class extends CountingDb {
        override exec(q: SqlQuery | string): Promise<void> {
          const t = typeof q === 'string' ? q : q.text;
          if (t.includes('"stage__0_raw"')) stageStatements += othersStaged(t);
          return super.exec(q);
        }
      })(db);
      const options: LoadOptions = { overrides: [{ headerLine: 2 }], stageSliceLines: 20 };
      const outcome = await load(counting, text, options);
      expect(counting.splitLines).toBe(1);
      if (sliced) expect(stageStatements).toBeGreaterThan(1);
      else expect(stageStatements).toBe(1);
      expect(outcome).toEqual(await load(db, text, { ...options, typedCsv: false }));
      if ('error' in outcome) throw new Error(outcome.error);
      expect(outcome.report).toMatchObject({ rows_read: 62, rows_kept: 60, rows_skipped: 2 });
    }
  });

  it("stages the whole file when a simple record would be rejected, on the page's engine too", async () => {
    // Line 3's date does not exist: the straight path's statement fails the lines' NOT NULL
    // constraint (its message is what the fallback recognises) and the file is staged whole.
    // Line 5, 合计, is skipped; lines 2 and 4 kept.
    const text = ['客户ID,下单时间,实付金额', 'C1,2023-01-05,1.5', 'C2,2023-02-30,2', 'C3,2023-01-07,3', '合计,,6.5'].join('\n');
    const wasm = await BlockingWasmDb.open();
    try {
      const onPage = await load(wasm, text, {});
      expect(onPage).toEqual(await load(db, text, { typedCsv: false }));
      if ('error' in onPage) throw new Error(onPage.error);
      expect(onPage.report).toMatchObject({ rows_read: 4, rows_kept: 2, rows_rejected: 1, rows_skipped: 1 });
      expect(onPage.report.rejected).toEqual([{ file: 0, line: 3, reason: 'unparseable_date', value: '2023-02-30', text: 'C2,2023-02-30,2' }]);
    } finally {
      await wasm.close();
    }
  });

  it('reads a quoted file with a title line, in UTF-8 and in GB18030: a hand-worked fixture', async () => {
    // Line 1 a title (skipped: title_row), 2 the header, quoted. 3: "1,234.50" is 1234.5000
    // (kept). 4: a quoted id and a note with doubled quotes (kept, 31.9700). 5: a quoted empty
    // amount is missing (rejected: missing_amount). 6: only quoted empties (skipped:
    // blank_row). 7: a quoted return with a quoted comma in the note (kept, -5.0000, a refund).
    // 8: 合计 (skipped: summary_row).
    const text = [
      '销售明细（导出）',
      '"客户ID","下单时间","实付金额","备注"',
      'C1,2023-01-05,"1,234.50",a',
      '"C2",2023-01-06,31.97,"say ""hi"""',
      'C3,2023-01-07,"",',
      '"","","",""',
      'C4,2023-01-08,"-5.00","x, y"',
      '合计,,"1,261.47",',
    ].join('\r\n');
    for (const [bytes, encoding] of [[new TextEncoder().encode(text), 'utf-8'], [gb18030(text), 'gb18030']] as const) {
      const { outcome, engine } = await expectSameLoads(bytes, { overrides: [{ encoding, headerLine: 2 }] });
      expect(engine).toBe(true);
      if ('error' in outcome) throw new Error(outcome.error);
      expect(outcome.report).toMatchObject({ rows_read: 7, rows_kept: 3, rows_rejected: 1, rows_skipped: 3 });
      expect(outcome.report.skipped).toEqual([
        { file: 0, line: 1, reason: 'title_row' },
        { file: 0, line: 6, reason: 'blank_row' },
        { file: 0, line: 8, reason: 'summary_row' },
      ]);
      expect(outcome.report.rejected.map((r) => [r.line, r.reason])).toEqual([[5, 'missing_amount']]);
      expect(outcome.lines.map((l) => [l.line_no, l.customer_id, l.amount])).toEqual([
        [3, 'C1', '1234.5000'],
        [4, 'C2', '31.9700'],
        [7, 'C4', '-5.0000'],
      ]);
      expect(outcome.info.map((r) => [r.customer_id, r.cells])).toEqual([
        ['C1', '[a]'],
        // (the engine prints a list element holding a quote or a comma in quotes)
        ['C2', `['say "hi"']`],
        ['C4', `['x, y']`],
      ]);
    }
  });

  it('flags quoted records simple as the normalizer does, unless a cell holds a quote', async () => {
    const mapping = { customer: 0, date: 1, amount: 2, product: 3 };
    const text = ['"客户ID",下单时间,实付金额,商品', '"C1",2023-01-05,1.5,"box, large"', 'C2,"2023-01-06",2,"12"" screen"', 'C3,2023-01-07,3,x'].join('\n');
    const both = await rawBoth(text, 1, mapping);
    if (both === null) throw new Error('the engine refused the file');
    // Line 2 is simple (its cells are clean once unquoted); line 3 holds a quote in a cell,
    // which the normalizer writes quoted, and is not.
    expect(both.js.map((r) => r.flag)).toEqual([RAW_FLAG.simpleData, RAW_FLAG.data, RAW_FLAG.simpleData]);
    expect(both.engine).toEqual(both.js);
    const utf8 = new TextEncoder().encode(text);
    const preview = previewText(utf8, { scoreHeader, headerLine: 1 });
    expect(typedCsvPlan(utf8, preview, simpleCellSpec(mapping, 4))).toMatchObject({ flag: RAW_FLAG.simpleData, listed: [{ flag: RAW_FLAG.data, lines: Int32Array.from([3]) }] });
    const clean = new TextEncoder().encode(text.replace('"12"" screen"', 'screen'));
    expect(typedCsvPlan(clean, previewText(clean, { scoreHeader, headerLine: 1 }), simpleCellSpec(mapping, 4))).toMatchObject({ flag: RAW_FLAG.simpleData, listed: [] });
  });

  it('reads CRLF files, tab-separated files and files without a header line through the engine', async () => {
    for (const text of [
      '客户ID,下单时间,实付金额\r\nC1,2023-01-05,1.5\r\nC2,2023-01-06,2\r\n',
      '客户ID\t下单时间\t实付金额\nC1\t2023-01-05\t1.5\nC2\t2023-01-06\t2',
      '\ufeffcustomer;date;amount\nC1;2023-01-05;1.5\n',
    ]) {
      const { outcome, engine } = await expectSameLoads(text);
      expect(engine).toBe(true);
      if ('error' in outcome) throw new Error(outcome.error);
      expect(outcome.lines.map((l) => [l.line_no, l.customer_id, l.amount])).toEqual(
        text.includes('C2') ? [[2, 'C1', '1.5000'], [3, 'C2', '2.0000']] : [[2, 'C1', '1.5000']],
      );
    }
    const headerless = 'C1,2023-01-05,1.5\nC2,2023-01-06,2\n';
    const { outcome, engine } = await expectSameLoads(headerless, { overrides: [{ headerLine: 0, mapping: { customer: 0, date: 1, amount: 2 } }] });
    expect(engine).toBe(true);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.lines.map((l) => [l.line_no, l.customer_id])).toEqual([[1, 'C1'], [2, 'C2']]);
  });
});

describe('files left to the normalizer', () => {
  const plan = (text: string) => {
    const utf8 = new TextEncoder().encode(text);
    return typedCsvPlan(utf8, previewText(utf8, { scoreHeader }));
  };
  const clean = ['客户ID,下单时间,实付金额', 'C1,2023-01-05,1.5', 'C2,2023-01-06,2'];

  it('plans a clean file: delimiter, header line and record count', () => {
    expect(plan(clean.join('\n'))).toEqual({ delimiter: ',', headerLine: 1, columnCount: 3, records: 2, flag: RAW_FLAG.data, listed: [], titles: [] });
    // Lines above the header are planned as the normalizer writes them: a title, and a blank line (no cells).
    expect(plan(['Sales report, 2023', '', ...clean].join('\n'))).toMatchObject({
      headerLine: 3,
      records: 2,
      titles: [
        { line: 1, flag: RAW_FLAG.title, fields: 2, cells: ['Sales report', ' 2023', null] },
        { line: 2, flag: RAW_FLAG.blank, fields: 1, cells: [null, null, null] },
      ],
    });
    const utf8 = new TextEncoder().encode(clean.join('\n'));
    const preview = previewText(utf8, { scoreHeader });
    const mapping = { customer: 0, date: 1, amount: 2 };
    expect(typedCsvPlan(utf8, preview, simpleCellSpec(mapping, 3))).toMatchObject({ records: 2, flag: RAW_FLAG.simpleData, listed: [] });
    const untrimmed = new TextEncoder().encode(`${clean.join('\n')}\n C3,2023-01-07,3`);
    expect(typedCsvPlan(untrimmed, previewText(untrimmed, { scoreHeader }), simpleCellSpec(mapping, 3))).toMatchObject({
      records: 3,
      flag: RAW_FLAG.simpleData,
      listed: [{ flag: RAW_FLAG.data, lines: Int32Array.from([4]) }],
    });
    // Three kinds: the most common unlisted, the two others listed by flag.
    const kinds = new TextEncoder().encode(`${clean.join('\n')}\n C3,2023-01-07,3\nC4,2023/01/08,4\nC5,2023-01-09,5`);
    expect(typedCsvPlan(kinds, previewText(kinds, { scoreHeader }), simpleCellSpec(mapping, 3))).toMatchObject({
      records: 5,
      flag: RAW_FLAG.simpleData,
      listed: [
        { flag: RAW_FLAG.data, lines: Int32Array.from([4]) },
        { flag: RAW_FLAG.simpleFormatted, lines: Int32Array.from([5]) },
      ],
    });
  });

  it.each([
    ['stray_quote', [...clean, 'C3,2023-01-07,3"'].join('\n')],
    ['stray_quote', [...clean, 'C3, "2023-01-07",3'].join('\n')],
    ['stray_quote', [...clean, '"C3" ,2023-01-07,3'].join('\n')],
    ['stray_quote', [...clean, '"C"3,2023-01-07,3'].join('\n')],
    ['stray_quote', ['客户ID,下单时间,实付金额 "元"', ...clean.slice(1)].join('\n')],
    ['quoted_line_break', [...clean, '"C3\nC4",2023-01-07,3'].join('\n')],
    ['quoted_line_break', [...clean, 'C3,2023-01-07,"3'].join('\n')],
    ['quoted_line_break', ['"Sales\nreport"', ...clean].join('\n')],
    ['nul', [...clean, 'C\u00003,2023-01-07,3'].join('\n')],
    ['replacement_char', [...clean, 'C\ufffd,2023-01-07,3'].join('\n')],
    ['lone_cr', [...clean, 'C3,2023-01-07,3\r'].join('\n')],
    ['empty_line', [...clean, '', 'C3,2023-01-07,3'].join('\n')],
    ['field_count', [...clean, 'C3,2023-01-07,3,'].join('\n')],
    ['field_count', [...clean, '合计,,'.slice(0, 3)].join('\n')],
    ['dialect', 'customer date amount\nC1 2023-01-05 1.5\nC2 2023-01-06 2\n'],
  ])('%s: %j', async (reason, text) => {
    expect(plan(text)).toBe(reason);
    const { engine } = await expectSameLoads(text);
    expect(engine).toBe(false);
  });

  it('title_encoding: invalid UTF-8 above the header', async () => {
    const bytes = new Uint8Array([0x52, 0xff, 0x0a, ...new TextEncoder().encode(clean.join('\n'))]);
    const preview = previewText(bytes, { scoreHeader, headerLine: 2 });
    expect(typedCsvPlan(bytes, preview)).toBe('title_encoding');
    const { engine } = await expectSameLoads(bytes, { overrides: [{ encoding: 'utf-8', headerLine: 2 }] });
    expect(engine).toBe(false);
  });

  it('bom: a byte-order mark left at the start of a file without a header (the engine would drop it)', async () => {
    const text = '\ufeff\ufeffC1,2023-01-05,1.5\nC2,2023-01-06,2\n';
    const utf8 = new TextEncoder().encode(text).subarray(3);
    expect(typedCsvPlan(utf8, previewText(utf8, { scoreHeader, headerLine: 0 }))).toBe('bom');
    const { outcome, engine } = await expectSameLoads(text, { overrides: [{ headerLine: 0, mapping: { customer: 0, date: 1, amount: 2 } }] });
    expect(engine).toBe(false);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.lines.map((l) => l.customer_id)).toEqual(['C1', 'C2']);
  });

  it('long_line: a record over the limit', () => {
    const utf8 = new TextEncoder().encode([...clean, `C3,2023-01-07,${'9'.repeat(100)}`].join('\n'));
    expect(typedCsvPlan(utf8, previewText(utf8, { scoreHeader }), null, 64)).toBe('long_line');
  });

  it('field_count: a short line far down the file', async () => {
    const lines = [clean[0] as string, ...Array.from({ length: 2100 }, (_, k) => `C${k},2023-01-05,${k}.5`), '合计,100', 'C9,2023-01-05,1'];
    const text = lines.join('\n');
    expect(plan(text)).toBe('field_count');
    const { outcome, engine } = await expectSameLoads(text);
    expect(engine).toBe(false);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.report).toMatchObject({ rows_read: 2102, rows_kept: 2101, rows_skipped: 1 });
    expect(outcome.report.skipped).toEqual([{ file: 0, line: 2102, reason: 'summary_row' }]);
  });

  it('engine: invalid UTF-8 fails the engine read, and the normalizer flags the line', async () => {
    const head = new TextEncoder().encode(`${clean.join('\n')}\nC3,2023-01-07,`);
    const bytes = new Uint8Array([...head, 0xff, 0x33, 0x0a, ...new TextEncoder().encode('C4,2023-01-08,4\n')]);
    const { outcome, engine } = await expectSameLoads(bytes, { overrides: [{ encoding: 'utf-8' }] });
    expect(engine).toBe(false);
    if ('error' in outcome) throw new Error(outcome.error);
    expect(outcome.report.rejected.map((r) => [r.line, r.reason])).toEqual([[4, 'invalid_encoding']]);
  });
});
