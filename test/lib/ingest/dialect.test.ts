import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fieldCounts, sniffDialect } from '../../../src/lib/ingest/dialect.ts';

const fixtureText = (name: string): string => readFileSync(new URL(`../../fixtures/ingest/${name}`, import.meta.url), 'utf8');

describe('sniffDialect', () => {
  it('semicolons with decimal commas and a comma inside a name (corpus 06)', () => {
    expect(sniffDialect(fixtureText('06_semicolon_decimal_comma.csv'))).toEqual({ delimiter: ';', quote: '"' });
  });

  it('tabs with commas inside product names (corpus 07)', () => {
    expect(sniffDialect(fixtureText('07_plain_tsv.tsv')).delimiter).toBe('\t');
  });

  it('commas with quoted newlines and ragged rows (corpus 22, 19), CR-only lines (corpus 08)', () => {
    expect(sniffDialect(fixtureText('22_embedded_newlines_quotes.csv')).delimiter).toBe(',');
    expect(sniffDialect(fixtureText('19_ragged_rows.csv')).delimiter).toBe(',');
    expect(sniffDialect(fixtureText('08_cr_only_line_endings.csv')).delimiter).toBe(',');
  });

  it('pipes', () => {
    expect(sniffDialect('id|date|amount\nA|2023-01-01|1,5\nB|2023-01-02|2\n').delimiter).toBe('|');
  });

  it('runs of spaces (CDNOW_master.txt layout)', () => {
    const cdnow = ' 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n';
    expect(fieldCounts(cdnow, 'whitespace')).toEqual([4, 4, 4]);
    expect(sniffDialect(cdnow)).toEqual({ delimiter: 'whitespace', quote: '"' });
  });

  it('prefers a single-character delimiter over whitespace when both are consistent', () => {
    expect(sniffDialect('a b,c\nd e,f\n').delimiter).toBe(',');
  });

  it('falls back to a comma when nothing splits the lines', () => {
    expect(sniffDialect('C001\nC002\nC003\n')).toEqual({ delimiter: ',', quote: '"' });
  });

  it('counts fields quote-aware and skips blank lines', () => {
    expect(fieldCounts('a,"b,c",d\n\n,,\n"x\ny",z\n', ',')).toEqual([3, 2]);
  });
});
