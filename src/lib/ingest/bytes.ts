/**
 * What a dropped file is, judged from its first bytes (magic numbers and control
 * characters), before any decoding is attempted.
 */
import type { FileErrorCode } from './types.ts';

/**
 * The kind of a file:
 * - `text`: something to decode and parse as delimited text (including UTF-16);
 * - `empty`: 0 bytes, only a BOM, or only whitespace;
 * - `xlsx`: a ZIP archive holding an `xl/` folder (an Excel 2007+ workbook);
 * - `xls`: an OLE2 compound file (legacy Excel);
 * - `zip` / `gzip`: another compressed archive;
 * - `parquet`: an Apache Parquet file;
 * - `binary`: anything else that is not text (images, PDFs, random bytes).
 */
export type FileKind = 'text' | 'empty' | 'xlsx' | 'xls' | 'zip' | 'gzip' | 'parquet' | 'binary';

/** How many leading bytes `sniffKind` needs; pass the whole file when it is smaller. */
export const SNIFF_BYTES = 64 * 1024;

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const GZIP = [0x1f, 0x8b];
const PARQUET = [0x50, 0x41, 0x52, 0x31];
const PNG = [0x89, 0x50, 0x4e, 0x47];
const JPEG = [0xff, 0xd8, 0xff];
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d];
const GIF = [0x47, 0x49, 0x46, 0x38];
const XL_FOLDER = [0x78, 0x6c, 0x2f]; // "xl/"

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

function contains(bytes: Uint8Array, needle: readonly number[]): boolean {
  const first = needle[0];
  for (let i = bytes.indexOf(first ?? 0); i !== -1; i = bytes.indexOf(first ?? 0, i + 1)) {
    if (startsWith(bytes, needle, i)) return true;
  }
  return false;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** Length of a UTF-8 / UTF-16 byte-order mark at the start, and the UTF-16 byte order. */
export function bomOf(bytes: Uint8Array): { length: number; utf16: 'le' | 'be' | null } {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { length: 3, utf16: null };
  if (startsWith(bytes, [0xff, 0xfe])) return { length: 2, utf16: 'le' };
  if (startsWith(bytes, [0xfe, 0xff])) return { length: 2, utf16: 'be' };
  return { length: 0, utf16: null };
}

/**
 * UTF-16 without a BOM: ASCII-range text leaves a NUL in every other byte.
 * Returns the byte order, or null when the pattern is not there.
 */
export function utf16ByNulPattern(bytes: Uint8Array): 'le' | 'be' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.4 && evenNul <= pairs * 0.05) return 'le';
  if (evenNul >= pairs * 0.4 && oddNul <= pairs * 0.05) return 'be';
  return null;
}

function onlyWhitespace(bytes: Uint8Array, from: number, utf16: 'le' | 'be' | null): boolean {
  if (utf16 === null) {
    for (let i = from; i < bytes.length; i++) if (!isSpace(bytes[i] ?? 0)) return false;
    return true;
  }
  for (let i = from; i + 1 < bytes.length; i += 2) {
    const hi = utf16 === 'le' ? bytes[i + 1] : bytes[i];
    const lo = utf16 === 'le' ? bytes[i] : bytes[i + 1];
    if (hi !== 0 || !isSpace(lo ?? 0)) return false;
  }
  return true;
}

/** Share of bytes that never occur in text: C0 controls other than TAB, LF, VT, FF, CR, ESC. */
function controlShare(bytes: Uint8Array): { count: number; share: number } {
  const n = Math.min(bytes.length, 8192);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    if (b < 0x20 && !(b >= 0x09 && b <= 0x0d) && b !== 0x1b) count++;
  }
  return { count, share: n === 0 ? 0 : count / n };
}

/**
 * Classify a file from its head (at least {@link SNIFF_BYTES}, or the whole file when
 * smaller) and its total size. A file is `empty` when it is 0 bytes, a lone BOM, or
 * whitespace only; the whitespace test needs the whole file (`head.length === totalBytes`).
 */
export function sniffKind(head: Uint8Array, totalBytes: number): FileKind {
  if (totalBytes === 0 || head.length === 0) return 'empty';
  if (startsWith(head, ZIP)) return contains(head, XL_FOLDER) ? 'xlsx' : 'zip';
  if (startsWith(head, OLE)) return 'xls';
  if (startsWith(head, GZIP)) return 'gzip';
  if (startsWith(head, PARQUET)) return 'parquet';
  if ([PNG, JPEG, PDF, GIF].some((m) => startsWith(head, m))) return 'binary';

  const bom = bomOf(head);
  const utf16 = bom.utf16 ?? (bom.length === 0 ? utf16ByNulPattern(head) : null);
  const whole = head.length >= totalBytes;
  if (whole && onlyWhitespace(head, bom.length, utf16)) return 'empty';
  if (utf16 !== null) return 'text';

  const controls = controlShare(head.subarray(bom.length));
  return controls.count >= 4 && controls.share > 0.05 ? 'binary' : 'text';
}

/** The file-level error for a kind that cannot be loaded; null for loadable kinds. */
export function fileKindError(kind: FileKind): FileErrorCode | null {
  switch (kind) {
    case 'empty':
      return 'EMPTY_FILE';
    case 'binary':
      return 'NOT_TEXT';
    case 'xls':
      return 'EXCEL_WORKBOOK';
    case 'zip':
    case 'gzip':
      return 'COMPRESSED_FILE';
    case 'text':
    case 'xlsx':
    case 'parquet':
      return null;
  }
}

/** `ArrayBuffer.prototype.transfer` (ES2024), where the runtime has it. */
type Transferable = ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer; readonly detached?: boolean };

/**
 * Give back the memory under `bytes` now instead of at the next garbage collection: the
 * buffer is detached, and every view of it (`bytes` too) becomes empty. For buffers the
 * caller owns and will not read again: a 450 MB file otherwise stays in the tab until a
 * collection happens to run, which during a load can be long after its last use.
 */
export function releaseBuffer(bytes: Uint8Array): void {
  const buffer = bytes.buffer as Transferable;
  if (!(buffer instanceof ArrayBuffer) || buffer.detached === true || buffer.byteLength === 0) return;
  if (typeof buffer.transfer === 'function') buffer.transfer(0);
  else structuredClone(buffer, { transfer: [buffer] });
}

/** Bytes asked of the stream per read into our buffer. */
const READ_VIEW_BYTES = 1024 * 1024;

/**
 * The file's bytes in a buffer of our own, read as a stream. `File.arrayBuffer()` would be
 * as fast, but its memory stays in the tab until a garbage collection, even once released:
 * measured with a 450 MB file, the tab held it until a collection ran, tens of seconds later
 * and at the load's memory peak. Ours goes the moment `releaseBuffer` detaches it. It is
 * filled from one small buffer (`reads`).
 */
export async function readBlob(file: Blob): Promise<Uint8Array> {
  const out = new Uint8Array(file.size);
  let at = 0;
  for await (const piece of reads(file)) {
    if (at + piece.length > out.length) throw new Error('the file grew while it was read');
    out.set(piece, at);
    at += piece.length;
  }
  return at === out.length ? out : out.subarray(0, at);
}

/**
 * A read of the file's stream that has not settled in this long has stalled: now and then
 * Chromium's stream of a file on disk stands still for good, the page idle (seen in the
 * browser tests, a 136 MB file: one read of 1 MB pending 46 s, where a read takes
 * milliseconds). The read goes on from the same byte with a stream of its own.
 */
export const READ_STALL_MS = 10_000;
/** Streams tried afresh after stalls in a row (no byte read in between) before the read gives up with an error. */
const READ_STALL_RETRIES = 3;

let stalls = 0;
/** Reads of files that stalled and went on with a new stream, since the module loaded (what the tests count). */
export function stalledReads(): number {
  return stalls;
}

const STALLED = Symbol('stalled');

/** `read`, or STALLED when it has not settled after `ms`. */
function unlessStalled<T>(read: Promise<T>, ms: number): Promise<T | typeof STALLED> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<typeof STALLED>((resolve) => (timer = setTimeout(() => resolve(STALLED), ms)));
  return Promise.race([read, stalled]).finally(() => clearTimeout(timer));
}

/**
 * The file's bytes as the stream hands them, each valid until the next is asked for. Where
 * the platform allows it (Chromium, Firefox, Node), the stream writes into one small buffer
 * of ours, again and again (a "BYOB" reader). The default reader hands over a new chunk per
 * read, to be copied and dropped: those chunks wait for a collection, and reading a 900 MB
 * file the tab held ~0.7 GB of them beside the file. The caller's buffers never pass
 * through the stream, which can keep a buffer it was given alive until a collection (then
 * `releaseBuffer` would not free it; measured: a 900 MB file held twice). A read that
 * stalls (`READ_STALL_MS`) is given up and the file read on from the next byte by a new
 * stream; after `READ_STALL_RETRIES` such stalls in a row the read fails.
 */
export async function* reads(file: Blob, stallMs = READ_STALL_MS): AsyncGenerator<Uint8Array, void, void> {
  let at = 0;
  // Stalls in a row: a stream that read something before it stalled starts the count again.
  for (let inARow = 0; ; ) {
    const from = at;
    const outcome = yield* streamFrom(at === 0 ? file : file.slice(at), stallMs, (n) => (at += n));
    if (outcome === 'done') return;
    inARow = at > from ? 1 : inARow + 1;
    if (inARow > READ_STALL_RETRIES) throw new Error(`the browser stopped reading the file (${inARow} times at byte ${at})`);
    stalls++;
  }
}

/** One stream of `file`: its chunks (each counted by `took` before it is handed on), then whether it ended or stalled. */
async function* streamFrom(file: Blob, stallMs: number, took: (bytes: number) => void): AsyncGenerator<Uint8Array, 'done' | 'stalled', void> {
  const stream = file.stream();
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream here: the default reader's chunks.
  }
  const reader = byob ?? stream.getReader();
  let finished = false;
  try {
    // A new buffer for each stream: one a stalled read was given stays with that read.
    let view: Uint8Array<ArrayBuffer> | null = byob === null ? null : new Uint8Array(READ_VIEW_BYTES);
    for (;;) {
      const read = byob !== null && view !== null ? byob.read(view) : (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      const r = await unlessStalled(read, stallMs);
      if (r === STALLED) return 'stalled';
      const { done, value } = r;
      if (done || value === undefined) break;
      took(value.length);
      yield value;
      // The stream gave back the buffer it was lent (a BYOB read): lend it again.
      if (view !== null) view = new Uint8Array(value.buffer as ArrayBuffer, 0, READ_VIEW_BYTES);
    }
    finished = true;
    return 'done';
  } finally {
    // A reader that stops early (or stalled) lets the stream go.
    if (!finished) void reader.cancel().catch(() => undefined);
  }
}

/** Bytes per piece of `blobPieces` (what a large text file is read by). */
export const PIECE_BYTES = 8 * 1024 * 1024;

/**
 * The file a piece at a time, never whole: each piece (of `pieceBytes`, the last shorter) is
 * a view of one buffer, refilled for the next; what a reader keeps of it, it copies.
 *
 * Each piece is a slice of the file read to its end by a stream of its own: a reader that
 * stops early leaves no stream of the file open. With one stream over the whole file, left
 * open (or cancelled) by a check that had its answer, a later read of the same file in the
 * page stood still now and then (2 runs of 4 at 5 M lines, the CPU idle).
 */
export async function* blobPieces(file: Blob, pieceBytes = PIECE_BYTES): AsyncGenerator<Uint8Array, void, void> {
  const piece = new Uint8Array(Math.max(1, Math.min(pieceBytes, file.size)));
  for (let at = 0; at < file.size; at += piece.length) {
    const end = Math.min(file.size, at + piece.length);
    let fill = 0;
    for await (const bytes of reads(file.slice(at, end))) {
      if (fill + bytes.length > end - at) throw new Error('the file grew while it was read');
      piece.set(bytes, fill);
      fill += bytes.length;
    }
    if (fill > 0) yield piece.subarray(0, fill);
    // A file that shrank while it was read ends here.
    if (fill < end - at) return;
  }
}

/** The first `length` bytes of the file (all of it when shorter), in a buffer of their own. */
export async function readHead(file: Blob, length: number): Promise<Uint8Array> {
  return readBlob(file.slice(0, Math.min(length, file.size)));
}
