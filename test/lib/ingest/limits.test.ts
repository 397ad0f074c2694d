import { describe, expect, it } from 'vitest';
import {
  BROWSER_MAX_BYTES,
  BROWSER_MAX_LINES,
  ENGINE_BASE_BYTES_BY_LINES,
  ENGINE_BYTES_PER_LINE,
  checkSize,
  ENGINE_BASE_BYTES,
  ENGINE_BUDGET_BYTES,
  ENGINE_BYTES_PER_TEXT_BYTE,
  LINES_IN_MEMORY_MAX_BYTES,
  LOAD_MAX_BYTES,
  linesInMemory,
  maxTextBytes,
  textBytes,
  textFactor,
} from '../../../src/lib/ingest/limits.ts';
import { IngestError } from '../../../src/lib/ingest/types.ts';

const MB = 1024 * 1024;

function refusal(files: Parameters<typeof checkSize>[0]): IngestError {
  try {
    checkSize(files);
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('maxTextBytes', () => {
  it('is the text that keeps base + perByte × text within the budget, in whole MB', () => {
    // (3072 − 512) / 2.5 = 1024 MB exactly.
    expect(maxTextBytes(3072 * MB, 512 * MB, 2.5)).toBe(1024 * MB);
    // (3072 − 400) / 2.5 = 1068.8 MB: down to 1068.
    expect(maxTextBytes(3072 * MB, 400 * MB, 2.5)).toBe(1068 * MB);
    // (2048 − 0) / 3 = 682.67 MB: down to 682.
    expect(maxTextBytes(2048 * MB, 0, 3)).toBe(682 * MB);
    expect(maxTextBytes(1024 * MB, 1024 * MB, 2)).toBe(0);
    expect(maxTextBytes(1024 * MB, 0, 0)).toBe(0);
  });

  it('sets the browser limit from the measured engine costs, within the budget and the most any load takes', () => {
    // (3072 + 26) / 2.56 = 1210.2 MB fits the budget; a load takes at most 1024 MB.
    expect(maxTextBytes(ENGINE_BUDGET_BYTES, ENGINE_BASE_BYTES, ENGINE_BYTES_PER_TEXT_BYTE)).toBe(1210 * MB);
    expect(BROWSER_MAX_BYTES).toBe(LOAD_MAX_BYTES);
    expect(ENGINE_BUDGET_BYTES).toBeLessThan(4 * 1024 * MB);
    expect(ENGINE_BASE_BYTES + ENGINE_BYTES_PER_TEXT_BYTE * BROWSER_MAX_BYTES).toBeLessThanOrEqual(ENGINE_BUDGET_BYTES);
    // The two measured points lie on the line (to the MB).
    for (const [text, peak] of [[448, 1121], [901, 2281]] as const) {
      expect(Math.abs((ENGINE_BASE_BYTES + ENGINE_BYTES_PER_TEXT_BYTE * text * MB) / MB - peak)).toBeLessThan(2);
    }
  });
});

describe('BROWSER_MAX_LINES', () => {
  it('keeps the per-line fit within the budget, through the measured points', () => {
    for (const [lines, peak] of [[5_000_000, 1121], [10_000_000, 2281]] as const) {
      expect(Math.abs((ENGINE_BASE_BYTES_BY_LINES + ENGINE_BYTES_PER_LINE * lines) / MB - peak)).toBeLessThan(2);
    }
    const fit = (ENGINE_BUDGET_BYTES - ENGINE_BASE_BYTES_BY_LINES) / ENGINE_BYTES_PER_LINE;
    expect(fit).toBeGreaterThan(13_400_000);
    expect(BROWSER_MAX_LINES).toBeLessThanOrEqual(fit);
    // Above the lines of the largest file the text limit lets through (1024 MB of the benchmark's ~93-byte lines: 11.5 M).
    expect(BROWSER_MAX_LINES).toBeGreaterThan(11_500_000);
  });
});

describe('linesInMemory', () => {
  it('keeps lines in memory up to the threshold of text, Parquet and workbooks by the text they become', () => {
    expect(LINES_IN_MEMORY_MAX_BYTES).toBe(256 * MB);
    expect(textBytes([{ size: 10 * MB, name: 'a.parquet' }, { size: 5 * MB, name: 'b.xlsx' }, { size: 1 * MB, name: 'c.csv' }])).toBe(81 * MB);
    expect(linesInMemory([{ size: 89 * MB, name: 'sales-1000000.csv' }])).toBe(true);
    expect(linesInMemory([{ size: 256 * MB, name: 'a.csv' }])).toBe(true);
    expect(linesInMemory([{ size: 200 * MB, name: 'a.csv' }, { size: 57 * MB, name: 'b.csv' }])).toBe(false);
    expect(linesInMemory([{ size: 50 * MB, name: 'big.parquet' }])).toBe(false);
  });
});

describe('checkSize', () => {
  it('accepts text files up to the limit in total (the 448 MB, 5 M-line and the 901 MB, 10 M-line benchmark files fit)', () => {
    expect(BROWSER_MAX_BYTES).toBe(1024 * MB);
    expect(() => checkSize([{ size: BROWSER_MAX_BYTES - 1, name: 'a.csv' }, { size: 1, name: 'b.csv' }])).not.toThrow();
    expect(() => checkSize([{ size: 448 * MB, name: 'sales-5000000.csv' }])).not.toThrow();
    expect(() => checkSize([{ size: 901 * MB, name: 'sales-10000000.csv' }])).not.toThrow();
    expect(refusal([{ size: 1100 * MB, name: 'sales-12000000.csv' }]).detail).toEqual({ sizeMB: 1100, textMB: 1100, limitMB: 1024 });
  });

  it('refuses a larger total with the size, the size as text and the limit in MB, before anything is read', () => {
    const limitMB = BROWSER_MAX_BYTES / MB;
    const e = refusal([{ size: 600 * MB, name: 'a.csv' }, { size: (limitMB - 599) * MB, name: 'b.tsv' }]);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.detail).toEqual({ sizeMB: limitMB + 1, textMB: limitMB + 1, limitMB });
  });

  it('counts compressed formats by the text they become', () => {
    expect(textFactor('销售.PARQUET')).toBe(6);
    expect(textFactor('book.xlsx')).toBe(4);
    expect(textFactor('sales.csv')).toBe(1);
    // A 10 M-line Parquet file (~150 MB) would be ~900 MB of text: it loads; one of 180 MB (~1080 MB of text) is refused.
    expect(() => checkSize([{ size: 150 * MB, name: 'ten-million.parquet' }])).not.toThrow();
    expect(refusal([{ size: 180 * MB, name: 'big.parquet' }]).detail).toEqual({ sizeMB: 180, textMB: 1080, limitMB: 1024 });
  });

  it('takes a smaller limit (e.g. for a device with little memory)', () => {
    expect(() => checkSize([{ size: 3 * MB }], 2 * MB)).toThrow(IngestError);
  });
});
