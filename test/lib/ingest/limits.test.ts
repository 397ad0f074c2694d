import { describe, expect, it } from 'vitest';
import { BROWSER_MAX_BYTES, checkSize } from '../../../src/lib/ingest/limits.ts';
import { IngestError } from '../../../src/lib/ingest/types.ts';

describe('checkSize', () => {
  it('accepts files up to the limit in total', () => {
    expect(() => checkSize([{ size: BROWSER_MAX_BYTES - 1 }, { size: 1 }])).not.toThrow();
  });
  it('refuses a larger total with the size and the limit in MB, before anything is read', () => {
    let error: unknown;
    try {
      checkSize([{ size: 700 * 1024 * 1024 }, { size: 400 * 1024 * 1024 }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).code).toBe('TOO_LARGE');
    expect((error as IngestError).detail).toEqual({ sizeMB: 1100, limitMB: 1024 });
  });
  it('takes a smaller limit (e.g. for a device with little memory)', () => {
    expect(() => checkSize([{ size: 3 * 1024 * 1024 }], 2 * 1024 * 1024)).toThrow(IngestError);
  });
});
