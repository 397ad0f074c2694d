import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openWorkbook, readWorkbook } from '../../../src/lib/ingest/formats/xlsx.ts';
import { isDateFormatCode, numberText, serialDateText, SheetHandler, type SheetContext } from '../../../src/lib/ingest/formats/sheet-xml.ts';
import { XmlScanner } from '../../../src/lib/ingest/formats/xml-scan.ts';
import { zipEntries } from '../../../src/lib/ingest/formats/zip-entries.ts';

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Styles: 0 general, 1 built-in 14 (m/d/yyyy), 2 built-in 22 (m/d/yyyy h:mm), 3 custom 年月日, 4 custom percent, 5 custom time, 6 a base style's date format. */
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet ${NS}>
  <numFmts count="3">
    <numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@"/>
    <numFmt numFmtId="165" formatCode="0.00%"/>
    <numFmt numFmtId="166" formatCode="[$-804]hh:mm:ss"/>
  </numFmts>
  <cellStyleXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellStyleXfs>
  <cellXfs count="7">
    <xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0"/><xf numFmtId="22" xfId="0"/>
    <xf numFmtId="164" xfId="0"/><xf numFmtId="165" xfId="0"/><xf numFmtId="166" xfId="0"/><xf xfId="1"/>
  </cellXfs>
</styleSheet>`;

/** A workbook zipped from hand-written parts: one sheet per entry of `sheets`. */
function handBook(parts: { sheets: Record<string, string>; sharedStrings?: string; date1904?: boolean; chart?: string }): Uint8Array {
  const names = Object.keys(parts.sheets);
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'xl/workbook.xml': strToU8(
      `<?xml version="1.0"?><workbook ${NS}>${parts.date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>'}<sheets>` +
        (parts.chart ? `<sheet name="${parts.chart}" sheetId="99" r:id="rIdC"/>` : '') +
        names.map((n, k) => `<sheet name="${n.replace(/&/g, '&amp;')}" sheetId="${k + 1}" r:id="rId${k + 1}"/>`).join('') +
        '</sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        names.map((_, k) => `<Relationship Id="rId${k + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${k + 1}.xml"/>`).join('') +
        `<Relationship Id="rIdS" Type="${REL}/styles" Target="styles.xml"/>` +
        (parts.sharedStrings ? `<Relationship Id="rIdT" Type="${REL}/sharedStrings" Target="/xl/sharedStrings.xml"/>` : '') +
        (parts.chart ? `<Relationship Id="rIdC" Type="${REL}/chartsheet" Target="chartsheets/sheet1.xml"/>` : '') +
        '</Relationships>',
    ),
    'xl/styles.xml': strToU8(STYLES),
  };
  names.forEach((n, k) => {
    files[`xl/worksheets/sheet${k + 1}.xml`] = strToU8(`<?xml version="1.0"?><worksheet ${NS}><sheetData>${parts.sheets[n] ?? ''}</sheetData></worksheet>`);
  });
  if (parts.sharedStrings) files['xl/sharedStrings.xml'] = strToU8(`<?xml version="1.0"?><sst ${NS}>${parts.sharedStrings}</sst>`);
  return zipSync(files);
}

const rowsOf = async (bytes: Uint8Array, sheet?: string) => (await readWorkbook(bytes, sheet)).rows;

describe('the sheet reader on hand-written XML', () => {
  it('reads shared strings: rich-text runs joined, phonetic runs left out, references and escapes decoded, trimmed', async () => {
    const sst =
      '<si><t>客户ID</t></si>' +
      '<si><r><rPr><b/></rPr><t>西湖</t></r><r><t xml:space="preserve"> 龙井</t></r><rPh sb="0" eb="2"><t>せいこ</t></rPh></si>' +
      '<si><t>A &amp; B &lt;x&gt; &quot;q&quot; &apos;s&apos; &#20013;&#x6587;&#x1F600;</t></si>' +
      '<si><t xml:space="preserve">  padded  </t></si>' +
      '<si><t>line_x000D_break _x005F_x0041_</t></si>' +
      '<si><t/></si>';
    const bytes = handBook({ sharedStrings: sst, sheets: { S: '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>' } });
    expect(await rowsOf(bytes)).toEqual([['客户ID', '西湖 龙井', 'A & B <x> "q" \'s\' 中文😀', 'padded', 'line\rbreak _x0041_']]);
  });

  it('reads inline strings, plain and rich, and formula strings', async () => {
    const row =
      '<row r="1"><c r="A1" t="inlineStr"><is><t>inline &amp; plain</t></is></c>' +
      '<c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><i/></rPr><t>ch</t></r></is></c>' +
      '<c r="C1" t="str"><f>A1&amp;"!"</f><v>inline &amp; plain!</v></c>' +
      '<c r="D1" t="inlineStr"><is><t><![CDATA[<cdata & text>]]></t></is></c></row>';
    expect(await rowsOf(handBook({ sheets: { S: row } }))).toEqual([['inline & plain', 'rich', 'inline & plain!', '<cdata & text>']]);
  });

  it('reads numbers in shortest form, booleans as TRUE/FALSE and errors as empty cells', async () => {
    const row =
      '<row r="1"><c r="A1"><v>0.30000000000000004</v></c><c r="B1"><v>1E-3</v></c><c r="C1" t="n"><v>00123</v></c><c r="D1"><v>-12.50</v></c>' +
      '<c r="E1" t="b"><v>1</v></c><c r="F1" t="b"><v>0</v></c><c r="G1" t="e"><v>#N/A</v></c><c r="H1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="I1" s="4"><v>0.125</v></c><c r="J1"><v>12345678901234567890</v></c></row>';
    expect(await rowsOf(handBook({ sheets: { S: row } }))).toEqual([['0.30000000000000004', '0.001', '123', '-12.5', 'TRUE', 'FALSE', '', '', '0.125', '12345678901234567000']]);
  });

  it('fills sparse rows and cells: gaps are empty, cells and rows without a reference follow the one before', async () => {
    const xml =
      '<row r="2"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c></row>' +
      '<row r="3"><c r="A3" t="inlineStr"><is><t>   </t></is></c></row>' + // only white space: an empty row
      '<row r="5" spans="1:3"><c><v>3</v></c><c><v>4</v></c><c r="E5"><v>5</v></c><c><v>6</v></c></row>' +
      '<row><c><v>7</v></c></row>' +
      '<row r="7"/>' +
      '<row r="8"><c r="A8" t="e"><v>#REF!</v></c></row>'; // empty rows after the last filled row are dropped
    expect(await rowsOf(handBook({ sheets: { S: xml } }))).toEqual([
      ['', '', '', '', '', ''],
      ['', '1', '', '2', '', ''],
      ['', '', '', '', '', ''],
      ['', '', '', '', '', ''],
      ['3', '4', '', '', '5', '6'],
      ['7', '', '', '', '', ''],
    ]);
  });

  it('takes a row number from the first cell when the row has none', async () => {
    expect(await rowsOf(handBook({ sheets: { S: '<row><c r="A3"><v>1</v></c></row>' } }))).toEqual([[''], [''], ['1']]);
  });

  it('reads dates by cell style in the 1900 system, with Excel’s 29 February 1900', async () => {
    const serials = ['1', '59', '60', '61', '45000', '45000.5', '45000.999999', '45000.39583333333'];
    const row = (s: number) => `<row r="1">${serials.map((v) => `<c s="${s}"><v>${v}</v></c>`).join('')}</row>`;
    const expected = ['1900-01-01', '1900-02-28', '1900-02-29', '1900-03-01', '2023-03-15', '2023-03-15 12:00:00', '2023-03-16', '2023-03-15 09:30:00'];
    for (const style of [1, 2, 3, 5, 6]) expect(await rowsOf(handBook({ sheets: { S: row(style) } }))).toEqual([expected]);
    // General and percent formats keep the number.
    expect((await rowsOf(handBook({ sheets: { S: row(0) } })))[0]?.[4]).toBe('45000');
    expect((await rowsOf(handBook({ sheets: { S: row(4) } })))[0]?.[5]).toBe('45000.5');
  });

  it('reads dates in the 1904 system (serial 0 is 1904-01-01)', async () => {
    const row = '<row r="1"><c s="1"><v>0</v></c><c s="1"><v>43538</v></c><c s="2"><v>43538.75</v></c><c s="1"><v>59</v></c></row>';
    expect(await rowsOf(handBook({ date1904: true, sheets: { S: row } }))).toEqual([['1904-01-01', '2023-03-15', '2023-03-15 18:00:00', '1904-02-29']]);
  });

  it('reads t="d" cells as ISO dates, a date-time without a zone as that wall-clock time', async () => {
    const row = '<row r="1"><c t="d"><v>2024-02-29</v></c><c t="d"><v>2024-02-29T08:15:00</v></c><c t="d"><v>2024-02-29T08:15:00Z</v></c></row>';
    expect(await rowsOf(handBook({ sheets: { S: row } }))).toEqual([['2024-02-29', '2024-02-29 08:15:00', '2024-02-29 08:15:00']]);
  });

  it('lists worksheets only (not a chart sheet) and reads the one named', async () => {
    const bytes = handBook({ chart: 'Chart', sheets: { 'A & B': '<row r="1"><c><v>1</v></c></row>', Two: '<row r="1"><c><v>2</v></c></row>' } });
    const book = await openWorkbook(bytes, 'Two');
    expect([book.sheets, book.sheet]).toEqual([['A & B', 'Two'], 'Two']);
    expect([...book.rows()].map((r) => r.cells)).toEqual([['2']]);
  });

  it('pads rows to a minimum width and reports how much of the sheet XML was read', async () => {
    const book = await openWorkbook(handBook({ sheets: { S: '<row r="1"><c><v>1</v></c></row><row r="3"><c r="B3"><v>2</v></c></row>' } }));
    const rows = book.rows(3);
    expect(rows.progress.done).toBe(0);
    expect([...rows].map((r) => [r.line, r.cells])).toEqual([
      [1, ['1', '', '']],
      [2, ['', '', '']],
      [3, ['', '2', '']],
    ]);
    expect(rows.progress.done).toBe(rows.progress.total);
    expect(rows.progress.total).toBeGreaterThan(100);
  });

  it('refuses malformed XML, a DOCTYPE, unknown entities and rows out of order as UNREADABLE_WORKBOOK', async () => {
    const bad = [
      '<row r="1"><c><v>1</v></row>',
      '<row r="1"><c t="inlineStr"><is><t>&nbsp;</t></is></c></row>',
      '<row r="2"><c><v>1</v></c></row><row r="1"><c><v>2</v></c></row>',
      '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
      '<row r="1"><c t="s"><v>7</v></c></row>',
      '<row r="1"><c><v>abc</v></c></row>',
    ];
    for (const xml of bad) await expect(rowsOf(handBook({ sheets: { S: xml } })), xml).rejects.toThrow(/UNREADABLE_WORKBOOK/);
    const doctype = zipSync({
      'xl/workbook.xml': strToU8('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>'),
      'xl/_rels/workbook.xml.rels': strToU8('<Relationships/>'),
    });
    await expect(readWorkbook(doctype)).rejects.toThrow(/UNREADABLE_WORKBOOK/);
  });

  it('refuses a truncated archive and a sheet whose compressed data is damaged as UNREADABLE_WORKBOOK', async () => {
    const rows = Array.from({ length: 400 }, (_, k) => `<row r="${k + 1}"><c><v>${k * 7919}</v></c><c t="inlineStr"><is><t>行 ${k}</t></is></c></row>`).join('');
    const bytes = handBook({ sheets: { S: rows } });
    expect(await rowsOf(bytes)).toHaveLength(400);
    await expect(rowsOf(bytes.slice(0, Math.floor(bytes.length * 0.6)))).rejects.toThrow(/UNREADABLE_WORKBOOK/);
    const entry = zipEntries(bytes).get('xl/worksheets/sheet1.xml');
    expect(entry?.method).toBe(8);
    const damaged = bytes.slice();
    const at = (entry?.offset ?? 0) + 30 + 'xl/worksheets/sheet1.xml'.length + 200;
    damaged.fill(0xff, at, at + 64);
    await expect(rowsOf(damaged)).rejects.toThrow(/UNREADABLE_WORKBOOK/);
  });
});

describe('SheetHandler fed in pieces', () => {
  const ctx: SheetContext = { sharedStrings: ['甲', 'b & c'], dateStyles: [false, true], date1904: false };
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\r\n<worksheet ${NS}><dimension ref="A1:C3"/><sheetData>` +
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><r><t>x&#x3c;</t></r><r><t>y&amp;</t></r></is></c></row>' +
    '<!-- a comment --><row r="3" customHeight="1" ht="20"><c r="A3" s="1"><v>45292</v></c><c r="C3" t="str"><v>a\r\nb</v></c></row>' +
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';
  const expected = [
    { line: 1, cells: ['甲', 'b & c', 'x<y&'] },
    { line: 2, cells: [] },
    { line: 3, cells: ['2024-01-01', '', 'a\nb'] },
  ];

  it('gives the same rows whatever the piece boundaries (one character at a time included)', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 64, xml.length]) {
      const handler = new SheetHandler(ctx);
      const scanner = new XmlScanner(handler);
      for (let k = 0; k < xml.length; k += size) scanner.feed(xml.slice(k, k + size), false);
      scanner.feed('', true);
      expect(handler.ready, `pieces of ${size}`).toEqual(expected);
    }
  });

  it('reads a cell the same whether written in the common form or any other', () => {
    const read = (cells: string) => {
      const handler = new SheetHandler(ctx);
      new XmlScanner(handler).feed(`<worksheet><sheetData><row r="1">${cells}</row></sheetData></worksheet>`, true);
      return handler.ready;
    };
    const common = '<c r="A1" s="1" t="n"><v>45292.5</v></c><c r="B1" t="s"><v>1</v></c><c r="C1"><v>2.50</v></c><c r="D1" t="b"><v>1</v></c>';
    const other =
      "<c t='n' s='1' r='A1'><v>45292.5</v></c><c r=\"B1\" t=\"s\" ><v>1</v ></c><c r=\"C1\" cm=\"1\"><f>1</f><v>2.50</v></c><c r=\"D1\" t=\"b\"><v>&#49;</v></c>";
    expect(read(common)).toEqual([{ line: 1, cells: ['2024-01-01 12:00:00', 'b & c', '2.5', 'TRUE'] }]);
    expect(read(other)).toEqual(read(common));
  });

  it('refuses a document that ends inside an element', () => {
    const scanner = new XmlScanner(new SheetHandler(ctx));
    scanner.feed(xml.slice(0, 200), false);
    expect(() => scanner.feed('', true)).toThrow(/not closed|ends inside/);
  });
});

describe('date formats', () => {
  it('tells date and time format codes from number formats', () => {
    for (const code of ['yyyy-mm-dd', 'm/d/yyyy;@', 'yyyy"年"m"月"d"日"', '[$-804]aaaa', 'hh:mm:ss.000', '[h]:mm', 'mmm\\ yyyy', 'dd/mm/yy h:mm AM/PM', '[Red][<45000]yyyy-mm-dd;yyyy/m/d']) {
      expect(isDateFormatCode(code), code).toBe(true);
    }
    for (const code of ['0.00', '#,##0', '0%', '"date"0', 'General', '@', '[$¥-804]#,##0.00', '0.00E+00', 'yyyy0']) {
      expect(isDateFormatCode(code), code).toBe(false);
    }
  });

  it('converts serials around the 1900 leap-year mistake and in the 1904 system', () => {
    expect(serialDateText(60.25, false)).toBe('1900-02-29 06:00:00');
    expect(serialDateText(25569, false)).toBe('1970-01-01');
    expect(serialDateText(2958465, false)).toBe('9999-12-31');
    expect(serialDateText(1, true)).toBe('1904-01-02');
  });
});

describe('cell values in bulk', () => {
  const rowsOfCells = (cells: readonly string[], ctx: SheetContext) => {
    const handler = new SheetHandler(ctx);
    const scanner = new XmlScanner(handler);
    scanner.feed(`<worksheet><sheetData><row r="1">${cells.join('')}</row></sheetData></worksheet>`, true);
    return handler.ready[0]?.cells ?? [];
  };

  it('formats date serials as serialDateText does, day by day and with times, in both systems', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 2_958_466, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.boolean(), (serials, date1904) => {
        const ctx: SheetContext = { sharedStrings: [], dateStyles: [false, true], date1904 };
        const cells = rowsOfCells(serials.map((v) => `<c s="1"><v>${v}</v></c>`), ctx);
        expect(cells).toEqual(serials.map((v) => serialDateText(v, date1904)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes numbers as String(Number(text)) does, short decimals included', () => {
    const texts = ['0', '-0', '7', '0123', '12.50', '0.5', '-0.5', '.5', '5.', '0.000001', '0.0000001', '123456789012345', '1234567890123456', '1E3', '+5', ' 42 ', '1e400', '-1e400'];
    for (const t of texts) expect(numberText(t), t).toBe(Number.isFinite(Number(t)) ? String(Number(t)) : '');
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true }), fc.integer().map((n) => n / 1000)), (x) => {
        const t = String(x);
        expect(numberText(t)).toBe(Number.isFinite(x) ? String(x) : '');
        const fixed = Number(x.toFixed(4));
        expect(numberText(x.toFixed(4))).toBe(Number.isFinite(fixed) ? String(fixed) : '');
      }),
      { numRuns: 2000 },
    );
  });
});
