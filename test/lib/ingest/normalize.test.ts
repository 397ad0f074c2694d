import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { literal, raw, sql } from '../../../src/lib/db/sql.ts';
import { detectEncoding, toUtf8 } from '../../../src/lib/ingest/decode.ts';
import {
  normalize,
  normalizeRows,
  previewText,
  RAW_FLAG,
  type NormalizedChunk,
  type NormalizeOptions,
  type NormalizeStats,
  type TextPreview,
} from '../../../src/lib/ingest/normalize.ts';
import type { Dialect } from '../../../src/lib/ingest/types.ts';
import { createRawSql, RAW_MIN_LINE_BYTES } from '../../../src/lib/ingest/build-lines.ts';

const LABELS = new Set(['客户id', '订单日期', '日期', '金额', '商品名称', '客户名称', 'customer_id', 'date', 'amount']);
const scoreHeader = (cells: readonly string[]): number => cells.filter((c) => LABELS.has(c.toLowerCase())).length;

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url)));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function decodeFixture(name: string): Uint8Array {
  const bytes = fixture(name);
  const enc = detectEncoding(bytes);
  return toUtf8(bytes, enc.encoding, enc.bomLength);
}

function collect(gen: Generator<NormalizedChunk, NormalizeStats>): { chunks: NormalizedChunk[]; stats: NormalizeStats } {
  const chunks: NormalizedChunk[] = [];
  let r = gen.next();
  while (!r.done) {
    chunks.push(r.value);
    r = gen.next();
  }
  return { chunks, stats: r.value };
}

/**
 * The longest record of a chunk in bytes, its LF included, found by reading its bytes as the
 * engine does: a cell opened by a quote right after US runs to the quote that is not doubled.
 */
function longestRecord(bytes: Uint8Array): number {
  let longest = 0;
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 0x22 && i > 0 && bytes[i - 1] === 0x1f) {
      i++;
      while (i < bytes.length && !(bytes[i] === 0x22 && bytes[i + 1] !== 0x22)) i += bytes[i] === 0x22 ? 2 : 1;
      i++;
    } else if (b === 0x0a) {
      longest = Math.max(longest, i + 1 - start);
      start = ++i;
    } else i++;
  }
  return longest;
}

/** Normalized output with US shown as `|`, one string per record (LF inside quotes kept). */
function lines(chunks: readonly NormalizedChunk[]): string[] {
  const text = chunks.map((c) => new TextDecoder().decode(c.bytes)).join('');
  expect(text.endsWith('\n') || text === '').toBe(true);
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n' && !quoted) {
      records.push(text.slice(start, i).replaceAll('\u001f', '|'));
      start = i + 1;
    }
  }
  return records;
}

function run(bytes: Uint8Array, opts: NormalizeOptions = {}): { preview: TextPreview; out: string[]; stats: NormalizeStats } {
  const preview = previewText(bytes, { scoreHeader });
  const { chunks, stats } = collect(normalize(bytes, preview, opts));
  return { preview, out: lines(chunks), stats };
}

describe('previewText', () => {
  it('finds the header below a title row and a blank row, trims labels, samples data rows', () => {
    const p = previewText(decodeFixture('29_excel_title_subtotal_total.csv'), { scoreHeader });
    expect(p.dialect).toEqual({ delimiter: ',', quote: '"' });
    expect(p.headerLine).toBe(3);
    expect(p.labels).toEqual(['客户ID', '订单日期', '商品名称', '金额']);
    expect(p.columnCount).toBe(4);
    expect(p.sampleLines).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(p.sampleRows[0]).toEqual(['C001', '2023-01-05', '绿茶', '100.00']);
    expect(p.sampleRows[6]).toEqual(['制表人：张三', '', '', '']);
  });

  it('drops unnamed trailing columns from N when the data leaves them empty', () => {
    const p = previewText(utf8('客户ID,订单日期,金额,,,\r\nX00,2023-09-01,11.00,,,\r\n,,,,,\r\n'), { scoreHeader });
    expect(p.columnCount).toBe(3);
    expect(p.labels).toEqual(['客户ID', '订单日期', '金额']);
    expect(p.sampleLines).toEqual([2]);
  });

  it('widens N to the data when rows carry a value under an unnamed column', () => {
    const p = previewText(utf8('customer_id,date,amount\nC1,2023-01-01,5,note\nC2,2023-01-02,6,x\n'), { scoreHeader });
    expect(p.columnCount).toBe(4);
    expect(p.labels).toEqual(['customer_id', 'date', 'amount', '']);
  });

  it('reports no header for all-numeric whitespace-separated data (CDNOW layout)', () => {
    const p = previewText(utf8(' 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n'), { scoreHeader });
    expect(p.dialect.delimiter).toBe('whitespace');
    expect(p.headerLine).toBe(0);
    expect(p.labels).toEqual([]);
    expect(p.columnCount).toBe(4);
    expect(p.sampleRows).toEqual([
      ['00001', '19970101', '1', '11.77'],
      ['00002', '19970112', '1', '12.00'],
      ['00002', '19970112', '5', '77.00'],
    ]);
  });

  it('honours a header line and dialect chosen by the user', () => {
    const p = previewText(utf8('a;b\nc;d\ne;f\n'), { scoreHeader, headerLine: 2, dialect: { delimiter: ';', quote: '"' } });
    expect(p.headerLine).toBe(2);
    expect(p.labels).toEqual(['c', 'd']);
    expect(p.sampleLines).toEqual([3]);
  });
});

describe('normalize: flags and line numbers', () => {
  it('writes data, blank, too-few and too-many records with their physical line numbers', () => {
    const { out, stats, preview } = run(
      utf8('客户ID,日期,金额\r\nC1,2023-01-01,"1,5"\r\n\r\nC2,x\r\nC3,d,3,extra\r\nC4,d,4,,\r\nC5,d,5\r\n'),
    );
    expect(preview.columnCount).toBe(3);
    expect(out).toEqual([
      '2|0|3|C1|2023-01-01|1,5',
      '3|2|1|||',
      '4|6|2|C2|x|',
      '5|7|4|C3|d|3',
      '6|0|5|C4|d|4',
      '7|0|3|C5|d|5',
    ]);
    expect(stats).toEqual({ records: 6, byFlag: { 0: 3, 2: 1, 6: 1, 7: 1 }, nulRemoved: 0, nulRecords: 0, lines: 7 });
  });

  it('ragged rows (corpus 19): L3 too few, L5 too many, L6 blank, L8 unclosed quote at EOF', () => {
    const { out, stats } = run(fixture('19_ragged_rows.csv'));
    expect(out).toEqual([
      '2|0|4|C001|2023-01-05|绿茶|10.00',
      '3|6|3|C002|2023-01-06|红茶|',
      '4|0|4|C003|2023-01-07|花茶|30.00',
      '5|7|6|C004|2023-01-08|白茶|40.00',
      '6|2|1||||',
      '7|0|4|C005|2023-01-09|黑茶|50.00',
      '8|3|0||||',
    ]);
    expect(stats.lines).toBe(8);
  });

  it('an unclosed quote mid-file (corpus 20) costs only its own line', () => {
    const { out } = run(fixture('20_unclosed_quote_mid_file.csv'));
    expect(out.map((l) => l.split('|').slice(0, 2).join('|'))).toEqual(['2|0', '3|0', '4|3', '5|0', '6|0', '7|0', '8|0']);
    expect(out[3]).toBe('5|0|4|C004|2023-01-08|茶4|40.00');
  });

  it('a quote that closes on a later line but leaves the wrong width is an unclosed quote', () => {
    const { out } = run(utf8('customer_id,date,amount\nC1,"open,1\nC2,2023-01-02,2\nC3,x",3,4,5\nC4,2023-01-04,4\n'));
    expect(out).toEqual(['2|3|0|||', '3|0|3|C2|2023-01-02|2', '4|7|5|C3|"x"""|3', '5|0|3|C4|2023-01-04|4']);
  });

  it('stray quotes inside unquoted fields (corpus 21) are literal text', () => {
    const { out } = run(fixture('21_stray_quote_unquoted_field.csv'));
    expect(out).toEqual([
      '2|0|4|C001|2023-01-05|"5"" 显示器"|999.00',
      '3|0|4|C002|2023-01-06|普通商品|10.00',
      '4|0|4|C003|2023-01-07|"A""B""C"|20.00',
    ]);
  });

  it('quoted newlines (corpus 22) stay in one record named by its first line', () => {
    const { out, stats } = run(fixture('22_embedded_newlines_quotes.csv'));
    expect(out.map((l) => Number(l.split('|')[0]))).toEqual([2, 4, 5, 6, 9]);
    expect(out[0]).toBe('2|0|4|E01|2023-01-05|"礼盒\n第二行说明"|1.00');
    expect(out[3]).toBe('6|0|4|E04|2023-01-08|"多行\r\n含CRLF\r\n三行"|4.00');
    expect(out[1]).toBe('4|0|4|E02|2023-01-06|"他说""好茶"""|2.00');
    expect(out[4]).toBe('9|0|4|E05|2023-01-09| 前后空格 |5.00');
    expect(stats.lines).toBe(9);
  });

  it('CR-only (corpus 08) and mixed (corpus 09) line endings count lines the same way', () => {
    for (const name of ['08_cr_only_line_endings.csv', '09_mixed_line_endings.csv']) {
      const { out, stats } = run(fixture(name));
      expect(out.map((l) => l.split('|').slice(0, 3).join('|'))).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${n}|0|5`));
      expect(out[2]).toBe('4|0|5|00123|李䶮|2023-01-07|普洱茶饼 357g|356.00');
      expect(stats.lines).toBe(9);
    }
  });

  it('title and blank rows above the header (corpus 29) are flagged 1 and 2', () => {
    const { out } = run(decodeFixture('29_excel_title_subtotal_total.csv'));
    expect(out.slice(0, 3)).toEqual(['1|1|4|2023年1月销售明细表|||', '2|2|4||||', '4|0|4|C001|2023-01-05|绿茶|100.00']);
    expect(out.slice(-3)).toEqual(['8|0|4|合计|||270.50', '9|0|4|Total|||270.50', '10|0|4|制表人：张三|||']);
  });

  it('Excel trailing empty rows (corpus 28) are 30 blank records on lines 7..36', () => {
    const { out, stats } = run(fixture('28_excel_trailing_empty_rows_cols.csv'));
    expect(out[0]).toBe('2|0|6|X00|2023-09-01|11.00');
    expect(out.slice(5)).toEqual(Array.from({ length: 30 }, (_, i) => `${i + 7}|2|6|||`));
    expect(stats.byFlag).toEqual({ 0: 5, 2: 30 });
  });

  it('a row with invalid UTF-8 (corpus 05, line 4) is flagged and its bytes are not written', () => {
    const { out } = run(fixture('05_utf8_with_one_gbk_row.csv'));
    expect(out[2]).toBe('4|4|5|||||');
    expect(out.map((l) => l.split('|')[1])).toEqual(['0', '0', '4', '0', '0']);
  });

  it('U+FFFD left by a lossy decode is treated as invalid encoding', () => {
    const { out } = run(utf8('customer_id,amount\nC1,\uFFFD5\nC2,6\n'));
    expect(out).toEqual(['2|4|2||', '3|0|2|C2|6']);
  });

  it('removes and counts NUL bytes (corpus 32)', () => {
    const { out, stats } = run(fixture('32_nul_bytes_in_field.csv'));
    expect(out[1]).toBe('3|0|4|C002|2023-01-06|含空字节|20.00');
    expect(stats.nulRemoved).toBe(2);
    expect(stats.nulRecords).toBe(1);
  });

  it('flags a 2 MB line as too long and goes on with the next line (corpus 33 layout)', () => {
    const big = '长'.repeat(700_000);
    const bytes = utf8(`客户ID,订单日期,商品名称,金额\nC001,2023-01-05,短,10.00\nC002,2023-01-06,${big},20.00\nC003,2023-01-07,短,30.00\n`);
    expect(bytes.length).toBeGreaterThan(2_000_000);
    const { out, stats } = run(bytes);
    expect(out).toEqual(['2|0|4|C001|2023-01-05|短|10.00', '3|5|0||||', '4|0|4|C003|2023-01-07|短|30.00']);
    expect(stats.byFlag).toEqual({ 0: 2, 5: 1 });
  });

  it('reports the longest line of each chunk, so a row longer than the default of the reader still reads whole', async () => {
    const big = 'x"y'.repeat(1_000_000);
    const rows = [{ line: 1, cells: ['C1', '2023-01-05', big] }, { line: 2, cells: ['C2', '2023-01-06', 'short'] }];
    const { chunks } = collect(normalizeRows(rows, 3, 0, { chunkBytes: 1024 }));
    // Row 2 is `2 US 0 US 3 US C2 US 2023-01-06 US short LF`: 26 bytes.
    expect(chunks.map((c) => c.longestLine)).toEqual([longestRecord(chunks[0]?.bytes ?? new Uint8Array()), 26]);
    expect(chunks[0]?.longestLine).toBeGreaterThan(RAW_MIN_LINE_BYTES);
    const db = await NodeDb.open();
    try {
      const paths = await Promise.all(chunks.map((c) => db.registerBuffer(c.bytes)));
      const longest = Math.max(...chunks.map((c) => c.longestLine));
      await db.exec(createRawSql('raw_long', paths, 3, false, longest));
      const got = await db.query(sql`SELECT line_no::INTEGER AS l, length(c2)::INTEGER AS n FROM raw_long ORDER BY line_no`);
      expect(got).toEqual([{ l: 1, n: big.length }, { l: 2, n: 5 }]);
    } finally {
      await db.close();
    }
  });

  it('a quoted field that runs past maxRecordBytes across lines is an unclosed quote', () => {
    const bytes = utf8('customer_id,amount\nC1,"' + 'x\n'.repeat(50) + 'C2,2\nC3,3\n');
    const preview = previewText(bytes, { scoreHeader });
    const { chunks } = collect(normalize(bytes, preview, { maxRecordBytes: 20 }));
    const out = lines(chunks);
    expect(out[0]).toBe('2|3|0||');
    expect(out[1]).toBe('3|6|1|x|');
    expect(out.at(-2)).toBe('52|0|2|C2|2');
  });

  it('splits on runs of whitespace and ignores leading and trailing blanks', () => {
    const { out, preview } = run(utf8(' 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00 \r\n\r\n 00003 19970102  2\r\n'));
    expect(preview.dialect.delimiter).toBe('whitespace');
    expect(out).toEqual(['1|0|4|00001|19970101|1|11.77', '2|0|4|00002|19970112|1|12.00', '3|2|0||||', '4|6|3|00003|19970102|2|']);
  });

  it('quotes cells that hold the separator byte, a quote, CR or LF', () => {
    const { out } = run(utf8('customer_id,amount\n"a\u001fb",1\n'));
    expect(out).toEqual(['2|0|2|"a|b"|1']);
  });

  it('cuts chunks on record boundaries and numbers them', () => {
    const text = 'customer_id,date,amount\n' + Array.from({ length: 10 }, (_, i) => `C${i},2023-01-0${i % 9 + 1},${i}`).join('\n') + '\n';
    const bytes = utf8(text);
    const preview = previewText(bytes, { scoreHeader });
    const whole = lines(collect(normalize(bytes, preview)).chunks);
    const { chunks, stats } = collect(normalize(bytes, preview, { chunkBytes: 64 }));
    expect(chunks.length).toBeGreaterThan(2);
    expect(lines(chunks)).toEqual(whole);
    for (const c of chunks) {
      expect(c.bytes.length).toBeLessThanOrEqual(64);
      expect(c.bytes.at(-1)).toBe(0x0a);
      const nums = lines([c]).map((l) => Number(l.split('|')[0]));
      expect([c.firstLine, c.lastLine, c.rows]).toEqual([nums[0], nums.at(-1), nums.length]);
    }
    expect(chunks.reduce((s, c) => s + c.rows, 0)).toBe(10);
    expect(stats.lines).toBe(11);
  });

  it('RAW_FLAG codes match the reasons they stand for', () => {
    expect(RAW_FLAG).toEqual({ data: 0, title: 1, blank: 2, unclosedQuote: 3, invalidEncoding: 4, lineTooLong: 5, tooFewFields: 6, tooManyFields: 7, simpleData: 8, simpleFormatted: 9 });
  });
});

describe('normalizeRows', () => {
  it('applies the same flags to pre-split rows and skips the header row', () => {
    const rows = [
      { line: 1, cells: ['销售报表', null, null] },
      { line: 2, cells: ['客户ID', '订单日期', '金额'] },
      { line: 3, cells: ['00123', '2023-01-07', '356'] },
      { line: 4, cells: [null, '  ', null] },
      { line: 5, cells: ['合计', null] },
      { line: 6, cells: ['C1', '2023-01-08', '5', 'x'] },
      { line: 7, cells: ['C"2', 'a\nb', '6', null] },
      { line: 8, cells: ['C\u00003', 'd', '7'] },
    ];
    const { chunks, stats } = collect(normalizeRows(rows, 3, 2));
    expect(lines(chunks)).toEqual([
      '1|1|3|销售报表||',
      '3|0|3|00123|2023-01-07|356',
      '4|2|3|||',
      '5|6|2|合计||',
      '6|7|4|C1|2023-01-08|5',
      '7|0|4|"C""2"|"a\nb"|6',
      '8|0|3|C3|d|7',
    ]);
    expect(stats).toEqual({ records: 7, byFlag: { 0: 3, 1: 1, 2: 1, 6: 1, 7: 1 }, nulRemoved: 1, nulRecords: 1, lines: 8 });
  });

  it('writes every cell as TextEncoder would, quoted where it holds a quote, US, CR or LF', () => {
    // Any UTF-16 text, lone surrogates included (they become U+FFFD either way). Cells start
    // with "k" so that no row is blank.
    const cell = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('"', 'a"b', '\u001f', 'x\r\ny', '张三', '😀', '\ud800'));
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 20 }), (pairs) => {
        const rows = pairs.map(([a, b], i) => ({ line: i + 1, cells: [`k${a}`, `k${b}`] }));
        const got = Buffer.concat(collect(normalizeRows(rows, 2, 0)).chunks.map((c) => c.bytes));
        const quoted = (cell: string) => {
          const t = cell.replaceAll('\u0000', ''); // NUL characters are dropped (and counted)
          return /[\x1f"\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
        };
        const want = rows.map((r) => `${r.line}\x1f0\x1f2${r.cells.map((t) => `\x1f${quoted(t)}`).join('')}\n`).join('');
        expect(got.equals(Buffer.from(new TextEncoder().encode(want)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('normalized stream read by DuckDB', () => {
  let db: NodeDb;
  beforeAll(async () => {
    db = await NodeDb.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('round-trips line numbers, flags and cells with newlines, quotes and Chinese text', async () => {
    const bytes = fixture('22_embedded_newlines_quotes.csv');
    const preview = previewText(bytes, { scoreHeader });
    const { chunks } = collect(normalize(bytes, preview));
    const columns = ['line_no', 'flag', 'n_fields'].map((c, i) => `'${c}':'${i === 1 ? 'UTINYINT' : 'INTEGER'}'`);
    for (let k = 0; k < preview.columnCount; k++) columns.push(`'c${k}':'VARCHAR'`);
    const paths = await Promise.all(chunks.map((c) => db.registerBuffer(c.bytes)));
    const rows = await db.query(sql`
      SELECT line_no, flag, n_fields, c0, c2, c3
      FROM read_csv(${literal(paths[0] ?? '')}, delim=${literal('\u001f')}, quote='"', escape='"',
        header=false, auto_detect=false, new_line='\\n', max_line_size=${raw(String(4 * 1024 * 1024))},
        columns={${raw(columns.join(', '))}})
      ORDER BY line_no`);
    expect(paths).toHaveLength(1);
    expect(rows).toEqual([
      { line_no: 2, flag: 0, n_fields: 4, c0: 'E01', c2: '礼盒\n第二行说明', c3: '1.00' },
      { line_no: 4, flag: 0, n_fields: 4, c0: 'E02', c2: '他说"好茶"', c3: '2.00' },
      { line_no: 5, flag: 0, n_fields: 4, c0: 'E03', c2: '逗号,分隔,的名字', c3: '3.00' },
      { line_no: 6, flag: 0, n_fields: 4, c0: 'E04', c2: '多行\r\n含CRLF\r\n三行', c3: '4.00' },
      { line_no: 9, flag: 0, n_fields: 4, c0: 'E05', c2: ' 前后空格 ', c3: '5.00' },
    ]);
  });
});

describe('normalize: plain records copied without the scanner', () => {
  // Pieces that exercise every reason to leave the fast path, and plain text around them.
  const PIECES: readonly number[][] = [
    [0x61], [0x62, 0x63], [0x2c], [0x2c], [0x3b], [0x09], [0x20], [0x0a], [0x0a], [0x0d, 0x0a], [0x0d],
    [0x22], [0x00], [0x1f], [0xe4, 0xb8, 0xad], [0xef, 0xbf, 0xbd], [0xff], [0xe4, 0xb8], [0x31, 0x32],
  ];
  const textArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((ps) => new Uint8Array(ps.flat()));
  const dialectArb = fc.constantFrom<Dialect>(
    { delimiter: ',', quote: '"' },
    { delimiter: ',', quote: null },
    { delimiter: ';', quote: '"' },
    { delimiter: '\t', quote: '"' },
  );

  it('writes the same bytes, flags and statistics as the record scanner', () => {
    fc.assert(
      fc.property(textArb, dialectArb, fc.nat(3), fc.integer({ min: 1, max: 4 }), (bytes, dialect, headerLine, columnCount) => {
        const preview = { dialect, headerLine, columnCount };
        const fast = collect(normalize(bytes, preview, { chunkBytes: 64, maxRecordBytes: 24 }));
        const slow = collect(normalize(bytes, preview, { chunkBytes: 64, maxRecordBytes: 24, plainFastPath: false }));
        expect(fast.stats).toEqual(slow.stats);
        // Chunks may be cut elsewhere (both on record boundaries); the stream is the same.
        const all = (cs: readonly NormalizedChunk[]) => cs.flatMap((c) => [...c.bytes]);
        expect(all(fast.chunks)).toEqual(all(slow.chunks));
        for (const c of fast.chunks) expect(c.bytes[c.bytes.length - 1]).toBe(0x0a);
        // The engine's reader is told the longest line: it must be exact for both writers.
        // (Without a quote character a cell may start with `"` as written, which the
        // reference would read as an open quote: those files are left out here.)
        if (dialect.quote !== null) for (const c of [...fast.chunks, ...slow.chunks]) expect(c.longestLine).toBe(longestRecord(c.bytes));
        expect(fast.chunks.reduce((k, c) => k + c.rows, 0)).toBe(slow.chunks.reduce((k, c) => k + c.rows, 0));
      }),
      { numRuns: 3000 },
    );
  });

  it('copies a plain CSV line by line (delimiters become US)', () => {
    const { chunks, stats } = collect(normalize(utf8('id,金额\nC1,12.5\r\nC2,3\n'), { dialect: { delimiter: ',', quote: '"' }, headerLine: 1, columnCount: 2 }));
    expect(lines(chunks)).toEqual(['2|0|2|C1|12.5', '3|0|2|C2|3']);
    expect(stats).toEqual({ records: 2, byFlag: { 0: 2 }, nulRemoved: 0, nulRecords: 0, lines: 3 });
  });
});

describe('previewText: header cells', () => {
  it('keeps every header cell as written, trailing unnamed ones included', () => {
    const p = previewText(utf8('customer_id, amount ,,\nC1,5,,\nC2,6,,\n'), { scoreHeader, headerLine: 1 });
    expect(p.headerCells).toEqual(['customer_id', ' amount ', '', '']);
    expect(p.labels).toEqual(['customer_id', 'amount']);
    expect(p.columnCount).toBe(2);
  });

  it('has none without a header', () => {
    expect(previewText(utf8('C1,5\nC2,6\n'), { scoreHeader, headerLine: 0 }).headerCells).toEqual([]);
  });
});
