/**
 * A file named on the command line, as the load takes it: its bytes, or — a file over the
 * size from which the page reads text a piece at a time (load.ts `piecesFrom`) — the file
 * as a Blob, so that a large text file is never held whole here either.
 */
import { openAsBlob, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { READ_SLICE_BYTES, type InputFile } from '../lib/ingest/load.ts';
import { UsageError } from './settings-flags.ts';

export async function readInput(path: string, piecesFrom = READ_SLICE_BYTES): Promise<InputFile> {
  try {
    if (statSync(path).size > piecesFrom) return { name: basename(path), blob: await openAsBlob(path) };
    return { name: basename(path), bytes: new Uint8Array(readFileSync(path)) };
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
