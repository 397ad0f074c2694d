import { describe, expect, it } from 'vitest';
import { BROWSER_MAX_BYTES, checkSize, textFactor } from '../../../src/lib/ingest/limits.ts';
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

describe('checkSize', () => {
  it('accepts text files up to the limit in total (the 448 MB, 5 M-line benchmark file fits)', () => {
    expect(BROWSER_MAX_BYTES).toBe(512 * MB);
    expect(() => checkSize([{ size: BROWSER_MAX_BYTES - 1, name: 'a.csv' }, { size: 1, name: 'b.csv' }])).not.toThrow();
    expect(() => checkSize([{ size: 448 * MB, name: 'sales-5000000.csv' }])).not.toThrow();
  });

  it('refuses a larger total with the size, the size as text and the limit in MB, before anything is read', () => {
    const e = refusal([{ size: 300 * MB, name: 'a.csv' }, { size: 250 * MB, name: 'b.tsv' }]);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.detail).toEqual({ sizeMB: 550, textMB: 550, limitMB: 512 });
  });

  it('counts compressed formats by the text they become', () => {
    expect(textFactor('销售.PARQUET')).toBe(6);
    expect(textFactor('book.xlsx')).toBe(4);
    expect(textFactor('sales.csv')).toBe(1);
    // A 10 M-line Parquet file (~150 MB) would be ~900 MB of text: refused.
    expect(refusal([{ size: 150 * MB, name: 'big.parquet' }]).detail).toEqual({ sizeMB: 150, textMB: 900, limitMB: 512 });
    expect(() => checkSize([{ size: 75 * MB, name: 'five-million.parquet' }])).not.toThrow();
  });

  it('takes a smaller limit (e.g. for a device with little memory)', () => {
    expect(() => checkSize([{ size: 3 * MB }], 2 * MB)).toThrow(IngestError);
  });
});
