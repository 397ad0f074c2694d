/**
 * The parts of a ZIP archive (an .xlsx workbook), read from the central directory, and one
 * part's bytes as a stream of pieces: stored parts are sliced, deflated ones inflated by
 * fflate's streaming `Inflate`, so a large sheet never exists whole in memory.
 */
import { Inflate } from 'fflate';

export class ZipError extends Error {
  override name = 'ZipError';
}

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Offset of the local file header. */
  readonly offset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const FULL32 = 0xffffffff;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(v: DataView, at: number): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('zip64 offset out of range');
  return Number(n);
}

function need(bytes: Uint8Array, at: number, length: number): void {
  if (at < 0 || at + length > bytes.length) throw new ZipError('truncated archive');
}

/** Every part of the archive by name. Throws `ZipError` for what is not a readable ZIP. */
export function zipEntries(bytes: Uint8Array): Map<string, ZipEntry> {
  const v = view(bytes);
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (v.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end of central directory');
  let count = v.getUint16(eocd + 10, true);
  let dirOffset = v.getUint32(eocd + 16, true);
  if ((count === 0xffff || dirOffset === FULL32) && eocd >= 20 && v.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const at = u64(v, eocd - 12);
    need(bytes, at, 56);
    if (v.getUint32(at, true) !== ZIP64_EOCD) throw new ZipError('bad zip64 end of central directory');
    count = u64(v, at + 32);
    dirOffset = u64(v, at + 48);
  }
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let at = dirOffset;
  for (let k = 0; k < count; k++) {
    need(bytes, at, 46);
    if (v.getUint32(at, true) !== CENTRAL) throw new ZipError('bad central directory');
    const flags = v.getUint16(at + 8, true);
    const method = v.getUint16(at + 10, true);
    let compressedSize = v.getUint32(at + 20, true);
    let size = v.getUint32(at + 24, true);
    const nameLength = v.getUint16(at + 28, true);
    const extraLength = v.getUint16(at + 30, true);
    const commentLength = v.getUint16(at + 32, true);
    let offset = v.getUint32(at + 42, true);
    need(bytes, at + 46, nameLength + extraLength);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // Sizes that do not fit 32 bits sit in the zip64 extra field, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = v.getUint16(extra, true);
      const length = v.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let p = extra + 4;
        if (size === FULL32) (size = u64(v, p)), (p += 8);
        if (compressedSize === FULL32) (compressedSize = u64(v, p)), (p += 8);
        if (offset === FULL32) offset = u64(v, p);
      }
      extra += 4 + length;
    }
    if ((flags & 1) !== 0) throw new ZipError(`encrypted part ${name}`);
    entries.set(name, { name, method, compressedSize, size, offset });
    at = extraEnd + commentLength;
  }
  return entries;
}

/** Pieces of compressed input handed to the inflater at a time. */
const STEP = 64 * 1024;

/**
 * The uncompressed bytes of `entry`, piece by piece (each piece is yielded once and not
 * kept). Throws `ZipError` when the data is damaged or its length is not the stated size.
 */
export function* entryBytes(bytes: Uint8Array, entry: ZipEntry): Generator<Uint8Array, void, void> {
  const v = view(bytes);
  need(bytes, entry.offset, 30);
  if (v.getUint32(entry.offset, true) !== LOCAL) throw new ZipError(`bad local header for ${entry.name}`);
  const start = entry.offset + 30 + v.getUint16(entry.offset + 26, true) + v.getUint16(entry.offset + 28, true);
  need(bytes, start, entry.compressedSize);
  const data = bytes.subarray(start, start + entry.compressedSize);
  let produced = 0;
  if (entry.method === 0) {
    for (let from = 0; from < data.length; from += STEP) {
      const piece = data.subarray(from, Math.min(data.length, from + STEP));
      produced += piece.length;
      yield piece;
    }
  } else if (entry.method === 8) {
    const out: Uint8Array[] = [];
    const inflate = new Inflate((chunk) => out.push(chunk));
    for (let from = 0; from < data.length || from === 0; from += STEP) {
      const to = Math.min(data.length, from + STEP);
      try {
        inflate.push(data.subarray(from, to), to >= data.length);
      } catch (e) {
        throw new ZipError(`damaged data in ${entry.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const chunk of out) {
        produced += chunk.length;
        yield chunk;
      }
      out.length = 0;
      if (to >= data.length) break;
    }
  } else {
    throw new ZipError(`unsupported compression method ${entry.method} for ${entry.name}`);
  }
  if (produced !== entry.size) throw new ZipError(`${entry.name}: ${produced} bytes where ${entry.size} were stated`);
}
