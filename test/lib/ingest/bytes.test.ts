import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileKindError, readBlob, releaseBuffer, sniffKind, SNIFF_BYTES, type FileKind } from '../../../src/lib/ingest/bytes.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url)));
const kindOf = (bytes: Uint8Array): FileKind => sniffKind(bytes.subarray(0, SNIFF_BYTES), bytes.length);

describe('sniffKind', () => {
  it.each([
    ['24_empty.csv', 'empty'],
    ['25_bom_only.csv', 'empty'],
    ['26_whitespace_only.csv', 'empty'],
    ['39_png_renamed.csv', 'binary'],
    ['40_xlsx_renamed.csv', 'xlsx'],
    ['41_real_workbook.xlsx', 'xlsx'],
    ['42_legacy_xls_signature.csv', 'xls'],
    ['43_gzip_renamed.csv', 'gzip'],
    ['44_random_binary.csv', 'binary'],
    ['01_gb18030_chinese_headers.csv', 'text'],
    ['03_utf16le_bom_tab_excel_unicode_text.txt', 'text'],
    ['03b_utf16be_bom.csv', 'text'],
    ['32_nul_bytes_in_field.csv', 'text'],
  ])('%s is %s', (name, kind) => {
    expect(kindOf(fixture(name))).toBe(kind);
  });

  it('recognises Parquet, plain ZIP, PDF and UTF-16 text without a BOM', () => {
    expect(kindOf(new Uint8Array([0x50, 0x41, 0x52, 0x31, 0x15, 0x04]))).toBe('parquet');
    expect(kindOf(new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode('data/a.csv')]))).toBe('zip');
    expect(kindOf(new TextEncoder().encode('%PDF-1.7\n'))).toBe('binary');
    const utf16 = new Uint8Array([...'id,amount\r\n1,2\r\n'].flatMap((c) => [c.charCodeAt(0), 0]));
    expect(kindOf(utf16)).toBe('text');
  });

  it('calls whitespace-only UTF-16 empty, but needs the whole file to call anything whitespace', () => {
    expect(kindOf(new Uint8Array([0xff, 0xfe, 0x20, 0x00, 0x0a, 0x00]))).toBe('empty');
    expect(sniffKind(new TextEncoder().encode('   \n'), 1000)).toBe('text');
  });
});

describe('fileKindError', () => {
  it('maps kinds to the file error codes and lets loadable formats through', () => {
    const kinds: FileKind[] = ['text', 'empty', 'xlsx', 'xls', 'zip', 'gzip', 'parquet', 'binary'];
    expect(kinds.map(fileKindError)).toEqual([null, 'EMPTY_FILE', null, 'EXCEL_WORKBOOK', 'COMPRESSED_FILE', 'COMPRESSED_FILE', null, 'NOT_TEXT']);
  });
});

describe('releaseBuffer', () => {
  it('detaches the buffer, so every view of it is empty', () => {
    const bytes = new TextEncoder().encode('客户ID,金额\nC1,10\n');
    const view = bytes.subarray(3, 9);
    releaseBuffer(view);
    expect(bytes.length).toBe(0);
    expect(view.length).toBe(0);
    expect(bytes.buffer.byteLength).toBe(0);
  });

  it('does nothing to a buffer that is already released or empty', () => {
    const bytes = new Uint8Array(8);
    releaseBuffer(bytes);
    expect(() => releaseBuffer(bytes)).not.toThrow();
    expect(() => releaseBuffer(new Uint8Array(0))).not.toThrow();
  });
});

describe('readBlob', () => {
  it('reads every byte of a blob, in parts, into one buffer of its own', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => new Uint8Array(10_000).fill(i));
    const blob = new Blob(parts);
    const bytes = await readBlob(blob);
    expect(bytes.length).toBe(400_000);
    expect(bytes.buffer.byteLength).toBe(400_000);
    for (let i = 0; i < 40; i++) expect(bytes[i * 10_000 + 9_999]).toBe(i);
    releaseBuffer(bytes);
    expect(bytes.length).toBe(0);
    expect((await readBlob(blob)).length).toBe(400_000);
  });

  it('reads an empty blob', async () => {
    expect((await readBlob(new Blob([]))).length).toBe(0);
  });
});
