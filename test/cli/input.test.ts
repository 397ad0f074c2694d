import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInput } from '../../src/cli/input.ts';
import { READ_SLICE_BYTES } from '../../src/lib/ingest/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-lens-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readInput', () => {
  it('reads a small file whole and hands a file over the pieces size as a Blob (never read whole)', async () => {
    const small = join(dir, '小.csv');
    writeFileSync(small, 'a,b\n1,2\n');
    const s = await readInput(small);
    expect(s.name).toBe('小.csv');
    expect('bytes' in s && new TextDecoder().decode(s.bytes)).toBe('a,b\n1,2\n');

    // A sparse file: its size without writing it.
    const large = join(dir, 'large.csv');
    const fd = openSync(large, 'w');
    ftruncateSync(fd, READ_SLICE_BYTES + 1);
    closeSync(fd);
    const l = await readInput(large);
    expect('blob' in l && l.blob.size).toBe(READ_SLICE_BYTES + 1);
    // The same threshold as the page's, and a file at it is read whole.
    expect('bytes' in (await readInput(small, 8))).toBe(true);
    expect('blob' in (await readInput(small, 7))).toBe(true);
  });

  it('names the file it cannot read', async () => {
    await expect(readInput(join(dir, 'missing.csv'))).rejects.toThrow(/cannot read .*missing\.csv/);
  });
});
