/**
 * Delimiter sniffing: the candidate that splits the first records into the most
 * consistent number of fields wins. Deterministic; the user can override the result.
 */
import type { Dialect } from './types.ts';

type Delimiter = Dialect['delimiter'];

/** Candidates in order of preference when they are equally consistent. */
const CANDIDATES: readonly Delimiter[] = [',', '\t', ';', '|', 'whitespace'];
const SAMPLE_RECORDS = 100;

function isBlank(line: string): boolean {
  return /^[\s,;|]*$/.test(line);
}

/** Field count of each of the first non-blank records, splitting quote-aware. */
export function fieldCounts(sample: string, delimiter: Delimiter, limit = SAMPLE_RECORDS): number[] {
  const counts: number[] = [];
  const n = sample.length;
  let i = 0;
  while (i < n && counts.length < limit) {
    const start = i;
    let fields = 0;
    let inField = false;
    let quoted = false;
    let atFieldStart = true;
    for (; i < n; i++) {
      const c = sample[i];
      if (quoted) {
        if (c === '"') {
          if (sample[i + 1] === '"') i++;
          else quoted = false;
        }
        continue;
      }
      if (c === '\n' || c === '\r') break;
      if (delimiter === 'whitespace') {
        if (c === ' ' || c === '\t') {
          inField = false;
          atFieldStart = true;
          continue;
        }
        if (!inField) {
          fields++;
          inField = true;
        }
      } else if (c === delimiter) {
        atFieldStart = true;
        continue;
      }
      if (atFieldStart && c === '"') quoted = true;
      atFieldStart = false;
    }
    const line = sample.slice(start, i);
    if (sample[i] === '\r' && sample[i + 1] === '\n') i++;
    i++;
    if (isBlank(line)) continue;
    if (delimiter !== 'whitespace') fields = countSplit(line, delimiter);
    counts.push(fields);
  }
  return counts;
}

/** Fields of one (possibly multi-line) record text for a single-character delimiter. */
function countSplit(record: string, delimiter: string): number {
  let fields = 1;
  let quoted = false;
  let atFieldStart = true;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (quoted) {
      if (c === '"') {
        if (record[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (c === delimiter) {
      fields++;
      atFieldStart = true;
      continue;
    }
    if (atFieldStart && c === '"') quoted = true;
    atFieldStart = false;
  }
  return fields;
}

/** The most frequent value (the larger one on a tie) and the share of entries equal to it. */
function mode(counts: readonly number[]): { value: number; share: number } {
  const freq = new Map<number, number>();
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
  let value = 0;
  let best = 0;
  for (const [v, f] of freq) {
    if (f > best || (f === best && v > value)) {
      value = v;
      best = f;
    }
  }
  return { value, share: counts.length === 0 ? 0 : best / counts.length };
}

/**
 * Pick the delimiter whose modal field count (≥ 2) covers the largest share of the first
 * ~100 non-blank records; ties go to the earlier candidate in `, TAB ; | whitespace`.
 * A sample that no candidate splits falls back to `,` (one column: the mapper then
 * reports the missing columns). The quote is always `"`: it changes nothing in files
 * that do not use it.
 */
export function sniffDialect(sample: string): Dialect {
  let best: Delimiter = ',';
  let bestShare = 0;
  for (const delimiter of CANDIDATES) {
    const m = mode(fieldCounts(sample, delimiter));
    if (m.value < 2) continue;
    if (m.share > bestShare) {
      best = delimiter;
      bestShare = m.share;
    }
  }
  return { delimiter: best, quote: '"' };
}
