/**
 * What a workbook's XML parts mean, read with `XmlScanner`: the sheet list and date system
 * (workbook.xml), where each sheet lives (workbook.xml.rels), which cell styles show dates
 * (styles.xml), the shared strings, and a worksheet's rows as text cells — rows are handed
 * on as they close, so a sheet of any length is read in one pass.
 */
import { attributes, XmlError, type XmlHandler } from './xml-scan.ts';

// ---------------------------------------------------------------- workbook and relations

export interface SheetEntry {
  readonly name: string;
  /** Relation id of the sheet's part. */
  readonly rel: string;
}

export class WorkbookHandler implements XmlHandler {
  readonly wantsText = false;
  readonly sheets: SheetEntry[] = [];
  date1904 = false;
  private prSeen = false;

  open(name: string, src: string, from: number, to: number): void {
    if (name === 'workbookPr' && !this.prSeen) {
      this.prSeen = true;
      const v = attributes(src, from, to)['date1904'];
      this.date1904 = v === '1' || v === 'true';
    } else if (name === 'sheet') {
      const a = attributes(src, from, to);
      if (a['name'] !== undefined && a['id'] !== undefined) this.sheets.push({ name: unescapeXstring(a['name']), rel: a['id'] });
    }
  }
  close(): void {}
  text(): void {}
}

const REL_BASES = ['http://schemas.openxmlformats.org/officeDocument/2006/relationships/', 'http://purl.oclc.org/ooxml/officeDocument/relationships/'];

/** Path inside the archive of a relation target of xl/workbook.xml. */
function partPath(target: string): string {
  const parts = target.startsWith('/') ? [] : ['xl'];
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

export class RelationsHandler implements XmlHandler {
  readonly wantsText = false;
  /** Worksheet parts by relation id (chart, dialog and macro sheets are not worksheets). */
  readonly worksheets = new Map<string, string>();
  sharedStrings: string | null = null;
  styles: string | null = null;

  open(name: string, src: string, from: number, to: number): void {
    if (name !== 'Relationship') return;
    const a = attributes(src, from, to);
    const base = REL_BASES.find((b) => a['Type']?.startsWith(b));
    const id = a['Id'];
    const target = a['Target'];
    if (base === undefined || id === undefined || target === undefined || a['TargetMode'] === 'External') return;
    const type = (a['Type'] ?? '').slice(base.length);
    if (type === 'worksheet') this.worksheets.set(id, partPath(target));
    else if (type === 'sharedStrings') this.sharedStrings = partPath(target);
    else if (type === 'styles') this.styles = partPath(target);
  }
  close(): void {}
  text(): void {}
}

// ---------------------------------------------------------------- styles

/**
 * Built-in number formats that show a date or time: 14–22 and 45–47 in every locale,
 * 27–36 and 50–58 in the Chinese, Japanese and Korean ones, 71–81 in the Thai one.
 */
const BUILT_IN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58, 71,
  72, 73, 74, 75, 76, 77, 78, 79, 80, 81,
]);

const DATE_TOKENS = new Set(['s', 'ss', 'm', 'mm', 'mmm', 'mmmm', 'mmmmm', 'h', 'hh', 'am', 'pm', 'a', 'p', 'd', 'dd', 'ddd', 'dddd', 'aaa', 'aaaa', 'aaaaa', 'y', 'yy', 'yyyy', 'e', 'ee', 'eeee']);

/**
 * Whether a number format code shows a date or time: some `;`-section of it, with literals
 * (`"…"`, `\x`), bracketed prefixes (`[$-804]`, `[Red]`) and fractional seconds set aside,
 * consists of date and time tokens only (`yyyy`, `m`, `d`, `hh`, `ss`, `am/pm` …).
 * A code with any digit placeholder (`0`, `#`, `?`, `%`) is a number format.
 */
export function isDateFormatCode(code: string): boolean {
  const lower = code
    .toLowerCase()
    .replace(/;@$/, '')
    .replace(/\\./g, ' ');
  return lower.split(';').some((section) => {
    const tokens = section
      .replace(/"[^"]*"/g, ' ')
      .replace(/(\[?[smhd]{1,2}\]?)[.,]00?0?/g, '$1')
      .replace(/\[([smhd]{1,2})\]/g, '$1')
      .replace(/\[[^\]]*\]/g, '')
      .split(/[^a-z0#?%]+/)
      .filter((t) => t !== '');
    return tokens.length > 0 && tokens.every((t) => DATE_TOKENS.has(t));
  });
}

/** Reads styles.xml into `dateStyles[s]`: whether cell style `s` shows its number as a date. */
export class StylesHandler implements XmlHandler {
  readonly wantsText = false;
  private readonly formats = new Map<number, string>();
  private readonly baseFormats: (number | null)[] = [];
  private readonly cellFormats: (number | null)[] = [];
  private readonly cellBases: number[] = [];
  private where: 'base' | 'cell' | null = null;

  open(name: string, src: string, from: number, to: number): void {
    if (name === 'numFmt') {
      const a = attributes(src, from, to);
      const id = Number(a['numFmtId']);
      // Ids below 100 are built-in formats: a redefinition does not change what they are.
      if (Number.isInteger(id) && id >= 100 && a['formatCode'] !== undefined) this.formats.set(id, a['formatCode']);
    } else if (name === 'cellStyleXfs') {
      this.where = 'base';
    } else if (name === 'cellXfs') {
      this.where = 'cell';
    } else if (name === 'xf' && this.where !== null) {
      const a = attributes(src, from, to);
      const id = a['numFmtId'] === undefined ? null : Number(a['numFmtId']);
      if (this.where === 'base') this.baseFormats.push(id);
      else {
        this.cellFormats.push(id);
        this.cellBases.push(Number(a['xfId'] ?? 0));
      }
    }
  }
  close(name: string): void {
    if (name === 'cellStyleXfs' || name === 'cellXfs') this.where = null;
  }
  text(): void {}

  dateStyles(): boolean[] {
    const cache = new Map<number, boolean>();
    const isDate = (id: number | null): boolean => {
      if (id === null || !Number.isFinite(id)) return false;
      let hit = cache.get(id);
      if (hit === undefined) {
        const code = this.formats.get(id);
        hit = BUILT_IN_DATE_FORMATS.has(id) || (code !== undefined && isDateFormatCode(code));
        cache.set(id, hit);
      }
      return hit;
    };
    // A cell style without a number format of its own takes its base style's.
    return this.cellFormats.map((id, k) => isDate(id ?? this.baseFormats[this.cellBases[k] ?? 0] ?? null));
  }
}

// ---------------------------------------------------------------- strings

/**
 * Decodes the `_xHHHH_` escapes of ECMA-376 ST_Xstring (characters XML 1.0 cannot carry),
 * left to right without overlap: `_x005F_x0041_` is `_x0041_`.
 */
export function unescapeXstring(s: string): string {
  if (s.indexOf('_x') < 0) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The text of a string item: every `<t>` of it (the runs of rich text), phonetic runs left out. */
class StringItem {
  text = '';
  private inT = false;
  private inPhonetic = 0;

  get wantsText(): boolean {
    return this.inT && this.inPhonetic === 0;
  }
  reset(): void {
    this.text = '';
    this.inT = false;
    this.inPhonetic = 0;
  }
  open(name: string, selfClosing: boolean): void {
    if (name === 't' && !selfClosing) this.inT = true;
    else if (name === 'rPh' && !selfClosing) this.inPhonetic++;
  }
  close(name: string): void {
    if (name === 't') this.inT = false;
    else if (name === 'rPh') this.inPhonetic--;
  }
}

/** Shared strings, trimmed as cells are (see `cellString`). */
export class SharedStringsHandler implements XmlHandler {
  readonly strings: string[] = [];
  private readonly item = new StringItem();
  private inItem = false;

  get wantsText(): boolean {
    return this.inItem && this.item.wantsText;
  }
  open(name: string, _src: string, _from: number, _to: number, selfClosing: boolean): void {
    if (name === 'si') {
      this.item.reset();
      this.inItem = true;
    } else if (this.inItem) this.item.open(name, selfClosing);
  }
  close(name: string): void {
    if (name === 'si') {
      this.strings.push(cellString(this.item.text));
      this.inItem = false;
    } else if (this.inItem) this.item.close(name);
  }
  text(text: string): void {
    this.item.text += text;
  }
}

/** Cell strings lose surrounding white space, as they always have here: '  ' is an empty cell. */
function cellString(raw: string): string {
  return unescapeXstring(raw).trim();
}

// ---------------------------------------------------------------- cells

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Days from the 1900 system's day 0 to 1970-01-01 (25,569, counting its 29 February 1900). */
const UNIX_EPOCH_SERIAL = 25569;
const DAY_MS = 86_400_000;

/**
 * A cell as the text a CSV export would hold: strings unchanged (ids like 00123 stay
 * text), numbers in shortest round-trip form, booleans TRUE/FALSE, dates from their UTC
 * fields as YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS when they carry a time (to the nearest second).
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // Serial day fractions come back a hair off (09:30:00 as 09:29:59.999): nearest second.
    const d = new Date(Math.round(value.getTime() / 1000) * 1000);
    const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    const h = d.getUTCHours();
    const m = d.getUTCMinutes();
    const s = d.getUTCSeconds();
    return h === 0 && m === 0 && s === 0 ? date : `${date} ${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  }
  return String(value);
}

/**
 * A date cell's serial number as `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` when it has a time
 * of day (to the nearest second). In the 1900 system serial 1 is 1900-01-01 and serial 60
 * is 29 February 1900, a day that never was (Excel keeps Lotus 1-2-3's leap-year mistake):
 * serials before it are a day later than plain counting from 1970 gives, and serial 60 is
 * written as Excel shows it. In the 1904 system serial 0 is 1904-01-01.
 */
export function serialDateText(serial: number, date1904: boolean): string {
  if (!Number.isFinite(serial)) return '';
  if (!date1904 && serial >= 60 && serial < 61) {
    const text = serialDateText(serial - 1, false);
    return `1900-02-29${text.slice(10)}`;
  }
  const days = date1904 ? serial + 1462 : serial < 60 ? serial + 1 : serial;
  return cellText(new Date(Math.floor((days - UNIX_EPOCH_SERIAL) * DAY_MS)));
}

/** `serialDateText` for many cells: the date part of each day is formatted once. */
class SerialDates {
  private readonly days = new Map<number, string>();
  constructor(private readonly date1904: boolean) {}

  text(serial: number): string {
    if (!Number.isFinite(serial) || serial < 61 || serial > 2_958_465) return serialDateText(serial, this.date1904);
    const days = this.date1904 ? serial + 1462 : serial;
    // As cellText rounds a Date: the millisecond floored, then to the nearest second.
    const ms = Math.round(Math.floor((days - UNIX_EPOCH_SERIAL) * DAY_MS) / 1000) * 1000;
    const day = Math.floor(ms / DAY_MS);
    let date = this.days.get(day);
    if (date === undefined) {
      date = cellText(new Date(day * DAY_MS));
      this.days.set(day, date);
    }
    const s = (ms - day * DAY_MS) / 1000;
    if (s === 0) return date;
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${date} ${pad2(h)}:${pad2(m)}:${pad2(s % 60)}`;
  }
}

/** `t="d"` cells: an ISO 8601 date or date-time; one without a zone is that wall-clock time. */
function isoCellText(v: string): string {
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes('T');
  const ms = Date.parse(zoned ? v : `${v}Z`);
  if (Number.isNaN(ms)) throw new XmlError(`bad date "${v.slice(0, 30)}"`);
  return cellText(new Date(ms));
}

/**
 * A decimal that `String(Number(v))` gives back unchanged: no exponent, no leading or
 * trailing zeros, at most 15 digits (a double tells all such decimals apart, so none has a
 * shorter form), and not below 1e-6 (which String writes with an exponent).
 */
function isCanonicalDecimal(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 17) return false;
  let k = v.charCodeAt(0) === 0x2d ? 1 : 0;
  let digits = 0;
  let point = -1;
  for (let j = k; j < n; j++) {
    const c = v.charCodeAt(j);
    if (c === 0x2e && point < 0) point = j;
    else if (c >= 0x30 && c <= 0x39) digits++;
    else return false;
  }
  if (digits === 0 || digits > 15 || point === n - 1 || point === k) return false;
  if (v.charCodeAt(k) === 0x30) {
    // 0, or 0.xxx from 0.000001 on; never -0.
    if (point < 0) return n === 1;
    if (point !== k + 1) return false;
    let zeros = 0;
    while (v.charCodeAt(point + 1 + zeros) === 0x30) zeros++;
    if (zeros >= 6 || point + 1 + zeros === n) return false;
  }
  return point < 0 || v.charCodeAt(n - 1) !== 0x30;
}

/** Numbers in shortest round-trip form (`0.1+0.2` as `0.30000000000000004`); ±Infinity as ''. */
export function numberText(v: string): string {
  if (isCanonicalDecimal(v)) return v;
  const x = Number(v);
  if (Number.isNaN(x) || v.trim() === '') throw new XmlError(`bad number "${v.slice(0, 30)}"`);
  return Number.isFinite(x) ? String(x) : '';
}

export interface SheetContext {
  readonly sharedStrings: readonly string[];
  readonly dateStyles: readonly boolean[];
  readonly date1904: boolean;
}

/** One worksheet row: `line` is its 1-based row number, `cells[k]` column k + 1 ('' where empty). */
export interface SheetRow {
  readonly line: number;
  readonly cells: string[];
}

/** A cell in its most common form (see `SheetHandler.take`). */
const PLAIN_CELL = /<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([a-z]{1,9})")?><v>([^<&\r]*)<\/v><\/c>/y;

/** Most columns a worksheet has (XFD). */
const MAX_COLUMNS = 16384;

/** Column number (1-based) of a reference like `AB12`; 0 for a reference without letters. */
export function columnOf(ref: string): number {
  let col = 0;
  let k = 0;
  for (; k < ref.length; k++) {
    const c = ref.charCodeAt(k);
    if (c >= 0x41 && c <= 0x5a) col = col * 26 + (c - 0x40);
    else if (c >= 0x61 && c <= 0x7a) col = col * 26 + (c - 0x60);
    else break;
    if (col > MAX_COLUMNS) throw new XmlError(`cell reference ${ref.slice(0, 12)} is beyond the last column`);
  }
  return col;
}

function rowOfRef(ref: string): number {
  let k = 0;
  while (k < ref.length && ref.charCodeAt(k) > 0x39) k++;
  const n = Number(ref.slice(k));
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * A worksheet's rows, as `XmlScanner` reads them. Rows are queued in `ready` as they close:
 * a row that has a filled cell, preceded by one empty row for every row number skipped or
 * left empty since the last filled row (empty rows after the last filled row are never
 * queued). Cells hold text as `cellText` gives it: shared and inline strings trimmed
 * (rich-text runs joined), numbers in shortest form, dates as ISO text, booleans
 * TRUE/FALSE, errors (#N/A, #DIV/0! …) empty. A row or cell without a reference follows
 * the one before it.
 */
export class SheetHandler implements XmlHandler {
  readonly ready: SheetRow[] = [];
  /** Number of the last row queued. */
  private lastQueued = 0;
  private lastRow = 0;
  private inData = false;
  private row: string[] | null = null;
  private rowNumber = 0;
  private rowHasRef = false;
  private inCell = false;
  private col = 0;
  private type = 'n';
  private style = -1;
  private inValue = false;
  private value: string | null = null;
  private inInline = false;
  private readonly inline = new StringItem();
  private inlineSeen = false;
  private readonly dates: SerialDates;

  constructor(private readonly ctx: SheetContext) {
    this.dates = new SerialDates(ctx.date1904);
  }

  get wantsText(): boolean {
    return this.inValue || (this.inInline && this.inline.wantsText);
  }

  open(name: string, src: string, from: number, to: number, selfClosing: boolean): void {
    if (!this.inData) {
      if (name === 'sheetData') this.inData = true;
      return;
    }
    if (this.inCell) {
      if (name === 'v') {
        this.inValue = !selfClosing;
        this.value = '';
      } else if (name === 'is') {
        this.inInline = !selfClosing;
        this.inlineSeen = true;
        this.inline.reset();
      } else if (this.inInline) this.inline.open(name, selfClosing);
      return;
    }
    if (name === 'c') this.openCell(src, from, to);
    else if (name === 'row') this.openRow(src, from, to);
  }

  private openRow(src: string, from: number, to: number): void {
    const r = attributes(src, from, to)['r'];
    if (r !== undefined) {
      const n = Number(r);
      if (!Number.isInteger(n) || n < 1) throw new XmlError(`bad row number "${r.slice(0, 12)}"`);
      if (n <= this.lastRow) throw new XmlError(`row ${n} follows row ${this.lastRow}`);
      this.rowNumber = n;
      this.rowHasRef = true;
    } else {
      this.rowNumber = this.lastRow + 1;
      this.rowHasRef = false;
    }
    this.row = [];
    this.col = 0;
  }

  private openCell(src: string, from: number, to: number): void {
    const a = attributes(src, from, to);
    this.beginCell(a['r'], a['t'], a['s']);
  }

  /**
   * Most cells are written `<c r="B7" s="3" t="s"><v>12</v></c>` (attributes in this order,
   * some left out, a value without references): one sticky regular expression reads such a
   * cell whole, where the scanner would report five events. Anything else (another order,
   * more attributes, an inline string, a reference in the value, a cell cut by the end of
   * the piece) does not match and goes the general way, to the same result.
   */
  readonly take = (src: string, at: number): number => {
    if (!this.inData || this.inCell || this.row === null || src.charCodeAt(at + 1) !== 0x63 || src.charCodeAt(at + 2) !== 0x20) return -1;
    PLAIN_CELL.lastIndex = at;
    const m = PLAIN_CELL.exec(src);
    if (m === null) return -1;
    this.beginCell(m[1], m[3], m[2]);
    this.value = m[4] ?? '';
    this.inCell = false;
    this.closeCell();
    return PLAIN_CELL.lastIndex;
  };

  private beginCell(ref: string | undefined, type: string | undefined, style: string | undefined): void {
    if (this.row === null) throw new XmlError('a cell outside a row');
    let col = this.col + 1;
    if (ref !== undefined) {
      const c = columnOf(ref);
      if (c > 0) col = c;
      if (!this.rowHasRef && this.row.length === 0 && this.col === 0) {
        const n = rowOfRef(ref);
        if (n > this.lastRow) this.rowNumber = n;
        this.rowHasRef = true;
      }
    }
    if (col <= this.col) throw new XmlError(`cell ${ref ?? col} is out of order`);
    if (col > MAX_COLUMNS) throw new XmlError('a cell beyond the last column');
    this.col = col;
    this.type = type ?? 'n';
    this.style = style === undefined ? -1 : Number(style);
    this.inCell = true;
    this.value = null;
    this.inlineSeen = false;
  }

  close(name: string): void {
    if (!this.inData) return;
    if (this.inCell) {
      if (name === 'c') {
        this.inCell = false;
        this.closeCell();
      } else if (name === 'v') this.inValue = false;
      else if (name === 'is') this.inInline = false;
      else if (this.inInline) this.inline.close(name);
      return;
    }
    if (name === 'row') this.closeRow();
    else if (name === 'sheetData') this.inData = false;
  }

  text(text: string): void {
    if (this.inValue) this.value += text;
    else this.inline.text += text;
  }

  private closeCell(): void {
    const text = this.cellValue();
    if (text === '') return;
    const row = this.row as string[];
    while (row.length < this.col - 1) row.push('');
    row.push(text);
  }

  private cellValue(): string {
    const v = this.value;
    switch (this.type) {
      case 'n': {
        if (v === null || v === '') return '';
        if (this.style >= 0 && this.ctx.dateStyles[this.style] === true) return this.dateText(v);
        return numberText(v);
      }
      case 's': {
        if (v === null || v === '') return '';
        const k = Number(v);
        const s = this.ctx.sharedStrings[k];
        if (s === undefined) throw new XmlError(`shared string ${v.slice(0, 12)} does not exist`);
        return s;
      }
      case 'inlineStr':
        return this.inlineSeen ? cellString(this.inline.text) : '';
      case 'str':
        return v === null ? '' : cellString(v);
      case 'b':
        if (v === null || v === '') return '';
        if (v === '1' || v === 'true') return 'TRUE';
        if (v === '0' || v === 'false') return 'FALSE';
        throw new XmlError(`bad boolean "${v.slice(0, 12)}"`);
      case 'e':
        return '';
      case 'd':
        return v === null || v === '' ? '' : isoCellText(v.trim());
      default:
        throw new XmlError(`unknown cell type "${this.type.slice(0, 12)}"`);
    }
  }

  private dateText(v: string): string {
    const serial = Number(v);
    if (Number.isNaN(serial) || v.trim() === '') throw new XmlError(`bad date serial "${v.slice(0, 30)}"`);
    return this.dates.text(serial);
  }

  private closeRow(): void {
    const row = this.row as string[];
    this.lastRow = this.rowNumber;
    this.row = null;
    if (row.length === 0) return;
    for (let line = this.lastQueued + 1; line < this.rowNumber; line++) this.ready.push({ line, cells: [] });
    this.ready.push({ line: this.rowNumber, cells: row });
    this.lastQueued = this.rowNumber;
  }
}
