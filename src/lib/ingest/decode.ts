/**
 * Text encoding: detect it from the bytes, then hand the rest of the pipeline UTF-8.
 * DuckDB's read_csv knows only UTF-8/UTF-16/latin-1, so GB18030 and Big5 are transcoded
 * here, in slices, without ever building one string of the whole file.
 */
import { bomOf, utf16ByNulPattern } from './bytes.ts';
import { IngestError, type EncodingName } from './types.ts';

/** The outcome of {@link detectEncoding}. */
export interface DetectedEncoding {
  readonly encoding: EncodingName;
  /** True when no BOM or unambiguous byte pattern decided it (the UI should let the user check). */
  readonly guessed: boolean;
  /** Bytes of byte-order mark to skip (0, 2 or 3). */
  readonly bomLength: number;
}

/** Length of the valid UTF-8 sequence starting at `i` (lead byte ≥ 0x80), or 0 if invalid. */
export function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] ?? 0;
  const b1 = bytes[i + 1] ?? 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) return b1 >= 0x80 && b1 <= 0xbf ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    const b2 = bytes[i + 2] ?? 0;
    return b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    const b2 = bytes[i + 2] ?? 0;
    const b3 = bytes[i + 3] ?? 0;
    return b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf && b3 >= 0x80 && b3 <= 0xbf ? 4 : 0;
  }
  return 0;
}

/** Per-line UTF-8 validity: how many lines hold non-ASCII bytes, and how many of those are invalid. */
export function utf8LineStats(bytes: Uint8Array): { nonAsciiLines: number; invalidLines: number } {
  let nonAsciiLines = 0;
  let invalidLines = 0;
  let lineNonAscii = false;
  let lineInvalid = false;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      if (b === 0x0a || b === 0x0d) {
        if (lineNonAscii) nonAsciiLines++;
        if (lineInvalid) invalidLines++;
        lineNonAscii = lineInvalid = false;
      }
      i++;
      continue;
    }
    lineNonAscii = true;
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      lineInvalid = true;
      i++;
    } else i += len;
  }
  if (lineNonAscii) nonAsciiLines++;
  if (lineInvalid) invalidLines++;
  return { nonAsciiLines, invalidLines };
}

/**
 * Bytes per decoder call, when validating or transcoding a whole file. Each call returns a
 * string that is dropped at once; kept this small, each is an ordinary young object that the
 * next minor collection frees. Slices of megabytes made strings in V8's large-object space,
 * freed only by a full collection: loading a 900 MB UTF-8 file, the tab held ~1.4 GB of them
 * at the load's memory peak. Small slices are faster too (Node, 1 M lines: validating 89 MB
 * 174 → 97 ms at 32 KB; GB18030 → UTF-8 of 84 MB 993 → 428 ms; 256 KB slices were the slowest).
 */
export const DECODE_SLICE = 32 * 1024;

/**
 * Whether all of `bytes` is valid UTF-8, decided by the platform's decoder slice by slice
 * (several times faster than `utf8LineStats`, which only runs when this says no).
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  // A decoder of its own: one that threw mid-stream would carry its state into the next call.
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    for (let at = 0; at < bytes.length; at += DECODE_SLICE) {
      const end = Math.min(bytes.length, at + DECODE_SLICE);
      strict.decode(bytes.subarray(at, end), { stream: end < bytes.length });
    }
    strict.decode();
    return true;
  } catch {
    return false;
  }
}

interface DoubleByteScore {
  /** Multi-byte characters seen. */
  readonly chars: number;
  /** Characters in the block of the most frequent characters of the script (or its punctuation). */
  readonly common: number;
}

/**
 * Byte statistics for GBK/GB18030: GB2312 level 1 (leads B0–D7, the 3 755 most frequent
 * hanzi) plus full-width punctuation (A1–A9) count as common.
 */
function scoreGb(bytes: Uint8Array, limit: number): DoubleByteScore {
  let chars = 0;
  let common = 0;
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; ) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    chars++;
    const trail = bytes[i + 1] ?? 0;
    if (lead >= 0x81 && lead <= 0xfe && trail >= 0x30 && trail <= 0x39) {
      i += 4;
      continue;
    }
    if (((lead >= 0xb0 && lead <= 0xd7) || (lead >= 0xa1 && lead <= 0xa9)) && trail >= 0xa1 && trail <= 0xfe) common++;
    i += lead >= 0x81 && lead <= 0xfe ? 2 : 1;
  }
  return { chars, common };
}

/** Byte statistics for Big5: leads A4–C6 are the 5 401 frequent hanzi, A1–A3 punctuation. */
function scoreBig5(bytes: Uint8Array, limit: number): DoubleByteScore {
  let chars = 0;
  let common = 0;
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; ) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    chars++;
    const trail = bytes[i + 1] ?? 0;
    const validTrail = (trail >= 0x40 && trail <= 0x7e) || (trail >= 0xa1 && trail <= 0xfe);
    if (lead >= 0xa1 && lead <= 0xc6 && validTrail) common++;
    i += lead >= 0x81 && lead <= 0xfe ? 2 : 1;
  }
  return { chars, common };
}

const SCORE_BYTES = 4 * 1024 * 1024;

/**
 * Decide the encoding: BOM → UTF-16 NUL pattern → UTF-8 (also when only a few lines are
 * invalid and the rest holds valid multi-byte text; those lines are rejected later) →
 * GB18030 or Big5 by byte statistics. Throws `IngestError('UNKNOWN_ENCODING')` when
 * neither Chinese encoding explains the bytes (e.g. latin-1 or Shift-JIS text).
 */
export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
  const bom = bomOf(bytes);
  if (bom.length === 3) return { encoding: 'utf-8', guessed: false, bomLength: 3 };
  if (bom.utf16 !== null) {
    return { encoding: bom.utf16 === 'le' ? 'utf-16le' : 'utf-16be', guessed: false, bomLength: 2 };
  }
  const utf16 = utf16ByNulPattern(bytes);
  if (utf16 !== null) {
    return { encoding: utf16 === 'le' ? 'utf-16le' : 'utf-16be', guessed: true, bomLength: 0 };
  }

  if (isValidUtf8(bytes)) return { encoding: 'utf-8', guessed: false, bomLength: 0 };
  const lines = utf8LineStats(bytes);
  if (lines.invalidLines === 0) return { encoding: 'utf-8', guessed: false, bomLength: 0 };
  if (lines.invalidLines * 4 <= lines.nonAsciiLines) {
    return { encoding: 'utf-8', guessed: false, bomLength: 0 };
  }

  const gb = scoreGb(bytes, SCORE_BYTES);
  const big5 = scoreBig5(bytes, SCORE_BYTES);
  const share = (s: DoubleByteScore): number => (s.chars === 0 ? 0 : s.common / s.chars);
  const gbCommon = share(gb);
  const big5Common = share(big5);
  if (gbCommon < 0.5 && big5Common < 0.5) {
    throw new IngestError('UNKNOWN_ENCODING', { invalidLines: lines.invalidLines });
  }
  if (big5Common > gbCommon + 0.15) return { encoding: 'big5', guessed: true, bomLength: 0 };
  const clear = gbCommon >= 0.8 && gbCommon >= big5Common + 0.1;
  return { encoding: 'gb18030', guessed: !clear, bomLength: 0 };
}

/**
 * UTF-8 bytes of the text after the BOM. For UTF-8 input this is a view (no copy).
 * Other encodings are transcoded slice by slice; bytes that are invalid in the source
 * encoding become U+FFFD, which the normalizer flags as `invalid_encoding`.
 */
export function toUtf8(bytes: Uint8Array, encoding: EncodingName, bomLength: number): Uint8Array {
  if (encoding === 'utf-8') return bytes.subarray(bomLength);
  // The names are WHATWG labels; `gb18030`, not `gbk`, whose Node 20 decoder drops 4-byte characters.
  const decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: true });
  const encoder = new TextEncoder();
  const body = bytes.subarray(bomLength);
  // UTF-16 and GB18030/Big5 grow at most 1.5× (2 bytes → 3); invalid bytes can grow 3×.
  let out = new Uint8Array(Math.ceil(body.length * 1.5) + 16);
  let written = 0;
  for (let at = 0; at < body.length || at === 0; at += DECODE_SLICE) {
    const end = Math.min(body.length, at + DECODE_SLICE);
    const last = end >= body.length;
    let text = decoder.decode(body.subarray(at, end), { stream: !last });
    while (text.length > 0) {
      const result = encoder.encodeInto(text, out.subarray(written));
      written += result.written;
      if (result.read === text.length) break;
      text = text.slice(result.read);
      const grown = new Uint8Array(Math.max(out.length * 2, written + text.length * 3 + 16));
      grown.set(out.subarray(0, written));
      out = grown;
    }
    if (last) break;
  }
  return out.subarray(0, written);
}
