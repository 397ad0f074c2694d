import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { ident, sql } from '../../../src/lib/db/sql.ts';
import {
  amountFromClean,
  amountText,
  amountTextFromClean,
  amountValue,
  cleanText,
  currencyFromClean,
  currencyOf,
  dateKind,
  dateOrderStatsQuery,
  dateValue,
  decideDateOrder,
  decideDecimal,
  decimalStatsQuery,
  idValue,
  isScientificId,
  scoreValue,
  trimText,
  type DateOrder,
  type DecimalMark,
} from '../../../src/lib/ingest/parse.ts';

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

const v = ident('v');
const one = (value: string) => sql`(SELECT ${value}::VARCHAR AS v)`;

async function date(value: string, order: DateOrder = 'dmy'): Promise<[string | null, string | null]> {
  const [r] = await db.query(sql`SELECT ${dateValue(cleanText(v), order)}::VARCHAR AS t, ${dateKind(cleanText(v))} AS k FROM ${one(value)}`);
  return [(r?.t ?? null) as string | null, (r?.k ?? null) as string | null];
}
async function amount(value: string, decimal: DecimalMark = '.'): Promise<[string | null, string | null]> {
  const [r] = await db.query(
    sql`SELECT ${amountValue(amountText(cleanText(v)), decimal)}::VARCHAR AS a, ${currencyOf(cleanText(v))} AS c FROM ${one(value)}`,
  );
  return [(r?.a ?? null) as string | null, (r?.c ?? null) as string | null];
}

describe('dateValue', () => {
  it.each([
    ['2023-01-05', '2023-01-05 00:00:00', 'iso'],
    ['2023-1-5 8:26', '2023-01-05 08:26:00', 'iso'],
    ['2023-01-05 14:30:00', '2023-01-05 14:30:00', 'iso'],
    ['2023-01-05T14:30:00', '2023-01-05 14:30:00', 'iso'],
    ['2023-01-05T14:30:00+08:00', '2023-01-05 14:30:00', 'iso'],
    ['2023-01-05T23:30:00-05:00', '2023-01-05 23:30:00', 'iso'],
    ['2023-01-05T08:26:00Z', '2023-01-05 08:26:00', 'iso'],
    ['2023-01-05 08:26:00.250', '2023-01-05 08:26:00.25', 'iso'],
    ['2023/1/5', '2023-01-05 00:00:00', 'ymd'],
    ['2023/01/15 09:00', '2023-01-15 09:00:00', 'ymd'],
    ['2023.1.5', '2023-01-05 00:00:00', 'ymd'],
    ['2023年1月5日', '2023-01-05 00:00:00', 'cjk'],
    ['2023年12月31日', '2023-12-31 00:00:00', 'cjk'],
    ['2023年1月5日 8:05', '2023-01-05 08:05:00', 'cjk'],
    ['20230105', '2023-01-05 00:00:00', 'compact'],
    ['19970101', '1997-01-01 00:00:00', 'compact'],
    ['05/01/2023', '2023-01-05 00:00:00', 'dm'],
    ['13.01.2023', '2023-01-13 00:00:00', 'dm'],
    ['44927', '2023-01-01 00:00:00', 'excel'],
    ['44931.25', '2023-01-05 06:00:00', 'excel'],
    ['1672891200000', '2023-01-05 04:00:00', 'epoch'],
    ['２０２３－０１－０５', '2023-01-05 00:00:00', 'iso'],
    [' 2023-01-05\u3000', '2023-01-05 00:00:00', 'iso'],
  ])('%s → %s', async (value, want, kind) => {
    expect(await date(value)).toEqual([want, kind]);
  });

  it('reads n/n/yyyy by the column order', async () => {
    expect(await date('05/01/2023', 'mdy')).toEqual(['2023-05-01 00:00:00', 'dm']);
    expect(await date('13/01/2023', 'mdy')).toEqual([null, 'dm']);
  });

  it.each([
    ['2023-02-30', 'iso'],
    ['2023-13-01', 'iso'],
    ['2023年2月30日', 'cjk'],
    ['20231340', 'compact'],
    ['99999', 'excel'],
    ['12345', 'excel'],
  ])('rejects the impossible %s', async (value, kind) => {
    expect(await date(value)).toEqual([null, kind]);
  });

  it.each(['', '昨天', 'N/A', '2023', '1/5', '2023-01-05 abc', '167289120000'])('does not parse %j', async (value) => {
    expect(await date(value)).toEqual([null, null]);
  });
});

describe('date order', () => {
  async function stats(values: string[]) {
    const src = sql`(SELECT unnest(${sql`[${values.map((x) => sql`${x}`).reduce((a, b) => sql`${a}, ${b}`)}]`}::VARCHAR[]) AS v)`;
    const [r] = await db.query(dateOrderStatsQuery(src, cleanText(v)));
    return { dm_values: Number(r?.dm_values), first_over_12: Number(r?.first_over_12), second_over_12: Number(r?.second_over_12) };
  }
  it('decides from the whole column', async () => {
    expect(await stats(['05/01/2023', '13/01/2023', '2023-01-05'])).toEqual({ dm_values: 2, first_over_12: 1, second_over_12: 0 });
    expect(decideDateOrder({ dm_values: 2, first_over_12: 1, second_over_12: 0 })).toBe('dmy');
    expect(decideDateOrder(await stats(['01/13/2023', '02/01/2023']))).toBe('mdy');
    expect(decideDateOrder(await stats(['01/02/2023', '03/04/2023']))).toBe('ambiguous');
    expect(decideDateOrder(await stats(['2023-01-02']))).toBe('none');
  });
});

describe('amountValue', () => {
  it.each([
    ['¥1,234.50', '1234.5000', 'CNY'],
    ['￥88.00', '88.0000', 'CNY'],
    ['$1,234.50', '1234.5000', 'USD'],
    ['US$ 3', '3.0000', 'USD'],
    ['€7,50', null, 'EUR'],
    ['(12.00)', '-12.0000', null],
    ['( 12 )', '-12.0000', null],
    ['-50.00', '-50.0000', null],
    ['\u221230.00', '-30.0000', null],
    ['RMB 99.00', '99.0000', 'CNY'],
    ['rmb99', '99.0000', 'CNY'],
    ['12.5元', '12.5000', 'CNY'],
    ['1,000', '1000.0000', null],
    [' 7.25 ', '7.2500', null],
    ['USD 5', '5.0000', 'USD'],
    ['-$12', '-12.0000', 'USD'],
    ['+5', '5.0000', null],
    ['0', '0.0000', null],
    ['.5', '0.5000', null],
    ['1 234.5', '1234.5000', null],
    ["1'234.5", '1234.5000', null],
    ['１２３．４', '123.4000', null],
    ['12.34567', '12.3457', null],
  ])('%s → %s %s', async (value, want, currency) => {
    expect(await amount(value)).toEqual([want, currency]);
  });

  it.each(['abc', '', '12.34.56', '1,23', '12,3456', '(-12)', '1e3', '12345678901234567.5', '--5', '5-'])(
    'rejects %j',
    async (value) => {
      expect((await amount(value))[0]).toBeNull();
    },
  );

  it.each([
    ['1.234,50', '1234.5000'],
    ['12,00', '12.0000'],
    ['1.000', '1000.0000'],
    ['-1.234,50', '-1234.5000'],
    ['0,99', '0.9900'],
    ['€7,50', '7.5000'],
  ])('decimal comma: %s → %s', async (value, want) => {
    expect((await amount(value, ','))[0]).toBe(want);
  });

  it('decides the decimal mark from the column', async () => {
    async function decide(values: string[]) {
      const src = sql`(SELECT unnest(${sql`[${values.map((x) => sql`${x}`).reduce((a, b) => sql`${a}, ${b}`)}]`}::VARCHAR[]) AS v)`;
      const [r] = await db.query(decimalStatsQuery(src, amountText(cleanText(v))));
      return decideDecimal({ comma_evidence: Number(r?.comma_evidence), dot_evidence: Number(r?.dot_evidence) });
    }
    expect(await decide(['1.234,50', '12,00', '1.000', '-1.234,50', '0,99'])).toBe(',');
    expect(await decide(['¥1,234.50', '88.00', '1,23', '1,000'])).toBe('.');
    expect(await decide(['1,000', '2,500'])).toBe('.');
    expect(await decide(['(12,50)'])).toBe(',');
  });
});

describe('ids and scores', () => {
  it.each([
    [' C002 ', 'C002', false],
    ['C003\u00a0', 'C003', false],
    ['\u3000', null, false],
    ['   ', null, false],
    ['NULL', null, false],
    ['n/a', null, false],
    ['-', null, false],
    ['无', null, false],
    ['#N/A', null, false],
    ['1.38E+10', '1.38E+10', true],
    ['00123', '00123', false],
    ['202301050000000001', '202301050000000001', false],
    ['__proto__', '__proto__', false],
  ])('%j → %j', async (value, want, sci) => {
    const [r] = await db.query(sql`SELECT ${idValue(trimText(v))} AS id, ${isScientificId(trimText(v))} AS sci FROM ${one(value)}`);
    expect(r).toEqual({ id: want, sci });
  });

  it.each([
    ['4', 4],
    [' 4.5 ', 4.5],
    ['4,5', 4.5],
    ['１０', 10],
    ['abc', null],
    ['nan', null],
    ['', null],
  ])('score %j → %j', async (value, want) => {
    const [r] = await db.query(sql`SELECT ${scoreValue(cleanText(v))} AS s FROM ${one(value)}`);
    expect(r?.s).toBe(want);
  });
});

describe('each expression computes its input once', () => {
  // DuckDB evaluates an expression as often as it is written: an input repeated in the SQL is
  // recomputed per row. Measured on a 1 M-line GB18030 export, the repeats made the staging
  // 18 s instead of 6 s.
  const times = (haystack: string, needle: string) => haystack.split(needle).length - 1;
  const cell = cleanText(ident('c_in'));

  it.each([
    ['amountFromClean', amountFromClean(cell, '.')],
    ['amountFromClean, decimal comma', amountFromClean(cell, ',')],
    ['amountTextFromClean', amountTextFromClean(cell)],
    ['currencyFromClean', currencyFromClean(cell)],
    ['scoreValue', scoreValue(cell)],
  ])('%s of a cleaned cell cleans it once', (_name, expr) => {
    expect(times(expr.text, cell.text)).toBe(1);
  });

  it('amountValue builds its amount text once, and currencyOf extracts the marker once', () => {
    const text = amountText(ident('c_in'));
    expect(times(amountValue(text, '.').text, text.text)).toBe(1);
    expect(times(amountValue(text, ',').text, text.text)).toBe(1);
    expect(times(currencyOf(ident('c_in')).text, 'regexp_extract(')).toBe(1);
  });

  it('a column input is used as it is, without a binding', () => {
    expect(amountFromClean(ident('amt_c'), '.').text).not.toContain('ll_amount_clean');
  });
});
