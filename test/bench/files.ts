/**
 * The benchmark's synthetic sales files (demo schema, seed 42), written once into .bench/
 * and reused by every bench script: CSV from the demo generator, Parquet from that CSV, the
 * same sales as a formatted GB18030 export, and as an .xlsx workbook.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SheetData } from 'write-excel-file/universal';
import { generateSales } from '../../src/cli/generate-demo.ts';
import { NodeDb } from '../../src/lib/db/duckdb-node.ts';
import { literal, sql } from '../../src/lib/db/sql.ts';

export const BENCH_DIR = join(import.meta.dirname, '..', '..', '.bench');
export const SEED = 42;

/** `.bench/sales-N-s42.csv`, generated when missing (written under a temporary name first). */
export async function salesCsv(lines: number): Promise<string> {
  const path = join(BENCH_DIR, `sales-${lines}-s${SEED}.csv`);
  if (existsSync(path)) return path;
  await mkdir(BENCH_DIR, { recursive: true });
  const tmp = `${path}.${process.pid}.part`;
  const out = createWriteStream(tmp);
  let buf: string[] = [];
  const flush = async (): Promise<void> => {
    const ok = out.write(buf.join('\n') + '\n');
    buf = [];
    if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (const line of generateSales({ seed: SEED, lines })) {
    buf.push(line);
    if (buf.length === 50_000) await flush();
  }
  await flush();
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  await rename(tmp, path);
  return path;
}

/** The same lines as Parquet (written by native DuckDB; ids kept as text). */
export async function salesParquet(lines: number): Promise<string> {
  const csv = await salesCsv(lines);
  const path = csv.replace(/\.csv$/, '.parquet');
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.part`;
  const db = await NodeDb.open({ threads: cpus().length });
  try {
    await db.exec(
      sql`COPY (SELECT * FROM read_csv(${literal(csv)}, header = true, types = {'订单号': 'VARCHAR', '客户ID': 'VARCHAR'}))
          TO ${literal(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    await db.close();
  }
  await rename(tmp, path);
  return path;
}

/**
 * A GB18030 encoder for the characters the bench files use, built by decoding every
 * two-byte GB18030 code once (Node has no GB18030 encoder; the characters of these files are
 * all in the two-byte range).
 */
let gbTable: Map<string, number> | null = null;
function gb18030(text: string): Uint8Array {
  if (gbTable === null) {
    gbTable = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(new Uint8Array([lead, trail]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbTable.has(ch)) gbTable.set(ch, (lead << 8) | trail);
      }
    }
  }
  const out = new Uint8Array(text.length * 2);
  let n = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) {
      out[n++] = code;
      continue;
    }
    const gb = gbTable.get(ch);
    if (gb === undefined) throw new Error(`no two-byte GB18030 code for ${JSON.stringify(ch)}`);
    out[n++] = gb >> 8;
    out[n++] = gb & 0xff;
  }
  return out.subarray(0, n);
}

/** `￥1,234.50`, quoted when it holds a comma (as Excel saves a currency-formatted cell). */
function yuan(plain: string): string {
  if (plain === '') return '';
  const [int = '', frac = '00'] = plain.replace('-', '').split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${plain.startsWith('-') ? '-' : ''}￥${grouped}.${frac}`;
  return grouped.includes(',') ? `"${text}"` : text;
}

/**
 * `.bench/export-N-s42.csv`: the same sales as an Excel "Save as CSV" export of a
 * formatted report, which is what many users drop: GB18030, a title line, times as
 * `2023/12/12 22:44` (seconds dropped), money as `￥1,234.50`, every 40th customer id padded
 * with spaces, and a 合计 line at the end. Every record then takes the full cleaning rules
 * instead of the direct casts the plain file allows.
 */
export async function exportCsv(lines: number): Promise<string> {
  let total = 0;
  return rewriteSales(lines, {
    name: `export-${lines}-s${SEED}.csv`,
    encode: gb18030,
    eol: '\r\n',
    title: '销售明细（导出）',
    row: (c, k) => {
      // 订单号,客户ID,下单时间,商品,品类,地区,渠道,数量,单价,实付金额,成本,满意度
      total += Math.round(Number(c[9]) * 100);
      c[1] = k % 40 === 0 ? ` ${c[1] ?? ''} ` : (c[1] ?? '');
      c[2] = (c[2] ?? '').slice(0, 16).replaceAll('-', '/');
      c[8] = yuan(c[8] ?? '');
      c[9] = yuan(c[9] ?? '');
      c[10] = yuan(c[10] ?? '');
      return c.join(',');
    },
    footer: () => `合计,,,,,,,,,${yuan((total / 100).toFixed(2))},,`,
  });
}

/** `.bench/sales-gb-N-s42.csv`: the plain sales file, byte for byte the same text, in GB18030. */
export function salesGbCsv(lines: number): Promise<string> {
  return rewriteSales(lines, { name: `sales-gb-${lines}-s${SEED}.csv`, encode: gb18030 });
}

/**
 * `.bench/quoted-N-s42.csv`: the same sales, UTF-8, with the money columns (单价, 实付金额,
 * 成本) written with thousands separators, quoted when they hold one (`"1,234.50"`), as a
 * "Save as CSV" of number-formatted cells gives them. Nothing else changes.
 */
export function quotedCsv(lines: number): Promise<string> {
  const grouped = (plain: string): string => {
    const [int = '', frac] = plain.split('.');
    const text = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac === undefined ? '' : `.${frac}`);
    return text.includes(',') ? `"${text}"` : text;
  };
  return rewriteSales(lines, {
    name: `quoted-${lines}-s${SEED}.csv`,
    row: (c) => {
      for (const i of [8, 9, 10]) c[i] = grouped(c[i] ?? '');
      return c.join(',');
    },
  });
}

/** How `rewriteSales` turns the plain sales file into another. */
interface SalesRewrite {
  /** The file's name under .bench. */
  readonly name: string;
  readonly encode?: (text: string) => Uint8Array;
  readonly eol?: string;
  /** A line above the header. */
  readonly title?: string;
  /** Data line k (2 for the first) from its fields; the line as it is without. */
  readonly row?: (fields: string[], k: number) => string;
  /** A line after the last. */
  readonly footer?: () => string;
}

/** The plain sales file of `lines` lines rewritten line by line, written once and reused. */
async function rewriteSales(lines: number, r: SalesRewrite): Promise<string> {
  const source = await salesCsv(lines);
  const path = join(BENCH_DIR, r.name);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.part`;
  const out = createWriteStream(tmp);
  const eol = r.eol ?? '\n';
  const write = async (text: string): Promise<void> => {
    if (!out.write(r.encode ? r.encode(text) : text)) await new Promise<void>((ok) => out.once('drain', () => ok()));
  };
  if (r.title !== undefined) await write(r.title + eol);
  let k = 0;
  let buf: string[] = [];
  const input = createInterface({ input: createReadStream(source, 'utf8'), crlfDelay: Infinity });
  for await (const line of input) {
    const header = k++ === 0;
    buf.push(header || !r.row ? line : r.row(line.split(','), k));
    if (buf.length === 50_000) {
      await write(buf.join(eol) + eol);
      buf = [];
    }
  }
  if (r.footer) buf.push(r.footer());
  if (buf.length > 0) await write(buf.join(eol) + eol);
  await new Promise<void>((ok, fail) => out.end((e?: Error | null) => (e ? fail(e) : ok())));
  await rename(tmp, path);
  return path;
}

/**
 * `.bench/sales-N-s42.xlsx`: the same lines as a workbook written by write-excel-file (the
 * page's own XLSX writer): one sheet, ids and text as strings, 下单时间 as Excel dates with a
 * date-time format, quantities and money as numbers.
 */
export async function salesXlsx(lines: number): Promise<string> {
  const source = await salesCsv(lines);
  const path = source.replace(/\.csv$/, '.xlsx');
  if (existsSync(path)) return path;
  const { default: writeXlsxFile } = await import('write-excel-file/universal');
  const rows: SheetData = [];
  const input = createInterface({ input: createReadStream(source, 'utf8'), crlfDelay: Infinity });
  let k = 0;
  const NUMBERS = new Set([7, 8, 9, 10, 11]);
  for await (const line of input) {
    const c = line.split(',');
    if (k++ === 0) {
      rows.push(c);
      continue;
    }
    // 订单号,客户ID,下单时间,商品,品类,地区,渠道,数量,单价,实付金额,成本,满意度
    rows.push(
      c.map((v, i) => {
        if (v === '') return null;
        if (i === 2) return { value: new Date(`${v.replace(' ', 'T')}Z`), type: Date, format: 'yyyy-mm-dd hh:mm:ss' };
        return NUMBERS.has(i) ? Number(v) : v;
      }),
    );
  }
  const blob = await writeXlsxFile(rows, { sheet: '销售明细' }).toBlob();
  const tmp = `${path}.${process.pid}.part`;
  await writeFile(tmp, new Uint8Array(await blob.arrayBuffer()));
  await rename(tmp, path);
  return path;
}
