import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { ident, join, sql } from '../../../src/lib/db/sql.ts';
import { buildLines, DEFAULT_PARSE, linesDdl, RAW_FLAG } from '../../../src/lib/ingest/build-lines.ts';
import {
  amountFromCell,
  amountFromClean,
  amountText,
  amountValue,
  cleanText,
  currencyFromClean,
  currencyOf,
  dateValue,
  ID_PLACEHOLDERS,
  type DateOrder,
  type DecimalMark,
} from '../../../src/lib/ingest/parse.ts';
import { makeRaw } from './raw-helper.ts';

let db: NodeDb;
beforeAll(async () => {
  db = await NodeDb.open();
});
afterAll(async () => {
  await db.close();
});

const v = ident('v');
/** Parse many values in one query; returns the results in input order. */
async function parseAll(values: readonly string[], expr: ReturnType<typeof sql>): Promise<(string | null)[]> {
  const rows = join(values.map((x, i) => sql`SELECT ${i}::INTEGER AS i, ${x}::VARCHAR AS v`), ' UNION ALL ');
  const out = await db.query(sql`SELECT i, (${expr})::VARCHAR AS r FROM (${rows}) ORDER BY i`);
  return out.map((r) => (r.r ?? null) as string | null);
}

// ── amounts ─────────────────────────────────────────────────────────────────────────────

interface AmountStyle {
  readonly decimal: DecimalMark;
  readonly group: '' | ',' | '.' | ' ' | "'";
  readonly prefix: string;
  readonly suffix: string;
  readonly negative: '-' | '\u2212' | '()' | '-after-symbol';
  readonly plus: boolean;
  readonly fullWidth: boolean;
}

const styleArb: fc.Arbitrary<AmountStyle> = fc
  .record({
    decimal: fc.constantFrom<DecimalMark>('.', ','),
    groupPick: fc.nat(2),
    prefix: fc.constantFrom('', '¥', '￥', '$', 'RMB ', 'USD ', '€', 'US$'),
    suffix: fc.constantFrom('', '元', ' CNY'),
    negative: fc.constantFrom<AmountStyle['negative']>('-', '\u2212', '()', '-after-symbol'),
    plus: fc.boolean(),
    fullWidth: fc.boolean(),
  })
  .map(({ decimal, groupPick, ...rest }) => {
    const groups = decimal === '.' ? (['', ',', "'"] as const) : (['', '.', ' '] as const);
    return { decimal, group: groups[groupPick] ?? '', ...rest };
  });

function formatAmount(cents: bigint, s: AmountStyle): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = (abs / 100n).toString();
  const frac = (abs % 100n).toString().padStart(2, '0');
  const grouped = s.group === '' ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, s.group);
  let number = `${grouped}${s.decimal}${frac}`;
  if (s.fullWidth) number = number.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  if (!negative) return `${s.plus ? '+' : ''}${s.prefix}${number}${s.suffix}`;
  switch (s.negative) {
    case '()':
      return `(${s.prefix}${number}${s.suffix})`;
    case '-after-symbol':
      return `${s.prefix}-${number}${s.suffix}`;
    default:
      return `${s.negative}${s.prefix}${number}${s.suffix}`;
  }
}

function centsText(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}00`;
}

describe('amount round trip', () => {
  it('format → parse gives back the value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }), styleArb), { minLength: 1, maxLength: 40 }),
        fc.constantFrom<DecimalMark>('.', ','),
        async (cases, decimal) => {
          const mine = cases.map(([c, s]) => [c, { ...s, decimal, group: s.decimal === decimal ? s.group : '' }] as const);
          const texts = mine.map(([c, s]) => formatAmount(c, s));
          const got = await parseAll(texts, amountValue(amountText(cleanText(v)), decimal));
          const zero = (x: string) => (x === '-0.0000' ? '0.0000' : x);
          expect(got.map((g) => (g === null ? null : zero(g)))).toEqual(mine.map(([c]) => zero(centsText(c))));
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** Common money forms (￥1,234.50, -$31.97), then any style, then anything. */
const amountTexts = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.constantFrom('', '¥', '￥', '$', '€', '£'), fc.constantFrom('', ','))
    .map(([c, prefix, group]) => formatAmount(c, { decimal: '.', group, prefix, suffix: '', negative: '-', plus: false, fullWidth: false })),
  fc.tuple(fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }), styleArb).map(([c, s]) => formatAmount(c, s)),
  fc.array(fc.constantFrom(...'0123456789,.￥¥$€£-+() 元'), { maxLength: 14 }).map((cs) => cs.join('')),
  fc.string({ maxLength: 8 }),
);

describe('amountFromClean', () => {
  it('reads every amount as the full rules do (its shortcut for plain numbers changes nothing)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(amountTexts, { minLength: 1, maxLength: 40 }), fc.constantFrom<DecimalMark>('.', ','), async (values, decimal) => {
        const full = await parseAll(values, amountValue(amountText(cleanText(v)), decimal));
        expect(await parseAll(values, amountFromClean(cleanText(v), decimal))).toEqual(full);
      }),
      { numRuns: 120 },
    );
  });

  it('reads a raw cell as the full rules read it cleaned (amountFromCell skips the cleaning of formatted cells)', async () => {
    const padded = fc
      .tuple(amountTexts, fc.constantFrom('', ' ', '\u3000', '\u00a0'), fc.constantFrom('', ' ', '\ufeff'))
      .map(([t, a, b]) => `${a}${t}${b}`);
    await fc.assert(
      fc.asyncProperty(fc.array(padded, { minLength: 1, maxLength: 40 }), fc.constantFrom<DecimalMark>('.', ','), async (values, decimal) => {
        const full = await parseAll(values, amountValue(amountText(cleanText(v)), decimal));
        expect(await parseAll(values, amountFromCell(v, decimal))).toEqual(full);
      }),
      { numRuns: 80 },
    );
  });

  it('reads the formatted forms of both decimal marks with their shortcut', async () => {
    // Hand-checked: the shortcut's cut of the sign by position, with and without a minus.
    const values = ['￥39.00', '-￥1,234.50', '-$0.5', '€12', '£1,000,000', '-7', '1.234,50', '-¥1.234', '0,123'];
    expect(await parseAll(values, amountFromClean(cleanText(v), '.'))).toEqual([
      '39.0000', '-1234.5000', '-0.5000', '12.0000', '1000000.0000', '-7.0000', null, '-1.2340', '123.0000',
    ]);
    expect(await parseAll(values, amountFromClean(cleanText(v), ','))).toEqual([
      null, null, null, '12.0000', null, '-7.0000', '1234.5000', '-1234.0000', '0.1230',
    ]);
  });
});

describe('currencyFromClean', () => {
  it('names the currency as currencyOf does, or none for a plain number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(amountTexts, { minLength: 1, maxLength: 40 }), async (values) => {
        const c = cleanText(v);
        const plain = /^[+-]?[0-9]+(\.[0-9]+)?$/;
        const full = await parseAll(values, currencyOf(c));
        const cleaned = await parseAll(values, c);
        const expected = full.map((x, i) => (plain.test(cleaned[i] ?? '') ? null : x));
        expect(await parseAll(values, currencyFromClean(c))).toEqual(expected);
      }),
      { numRuns: 80 },
    );
  });
});

// ── dates ───────────────────────────────────────────────────────────────────────────────

const FORMS = ['iso', 'iso_time', 'iso_t_zone', 'slash', 'slash_time', 'dot', 'cjk', 'cjk_time', 'compact', 'dmy', 'mdy', 'excel', 'epoch'] as const;
type Form = (typeof FORMS)[number];
const pad = (n: number) => String(n).padStart(2, '0');

function formatDate(d: Date, form: Form, padded: boolean): string {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const p = (n: number) => (padded ? pad(n) : String(n));
  switch (form) {
    case 'iso':
      return `${y}-${pad(m)}-${pad(day)}`;
    case 'iso_time':
      return `${y}-${p(m)}-${p(day)} 23:59:59`;
    case 'iso_t_zone':
      return `${y}-${pad(m)}-${pad(day)}T00:30:00+08:00`;
    case 'slash':
      return `${y}/${p(m)}/${p(day)}`;
    case 'slash_time':
      return `${y}/${p(m)}/${p(day)} 22:44`;
    case 'dot':
      return `${y}.${p(m)}.${p(day)}`;
    case 'cjk':
      return `${y}年${p(m)}月${p(day)}日`;
    case 'cjk_time':
      return `${y}年${m}月${day}日 8:05`;
    case 'compact':
      return `${y}${pad(m)}${pad(day)}`;
    case 'dmy':
      return `${p(day)}/${p(m)}/${y}`;
    case 'mdy':
      return `${p(m)}/${p(day)}/${y}`;
    case 'excel':
      return String(Math.round(d.getTime() / 86_400_000) + 25_569);
    case 'epoch':
      return String(d.getTime() + 12 * 3_600_000);
  }
}

describe('date round trip', () => {
  it('format → parse gives back the calendar day', async () => {
    const dayArb = fc.integer({ min: Date.UTC(2002, 0, 1) / 86_400_000, max: Date.UTC(2060, 11, 31) / 86_400_000 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(dayArb, fc.constantFrom(...FORMS), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.constantFrom<DateOrder>('dmy', 'mdy'),
        async (cases, order) => {
          const mine = cases.map(([day, form, padded]) => [day, form === 'dmy' || form === 'mdy' ? order : form, padded] as const);
          const texts = mine.map(([day, form, padded]) => formatDate(new Date(day * 86_400_000), form, padded));
          const got = await parseAll(texts, sql`${dateValue(cleanText(v), order)}::DATE`);
          expect(got).toEqual(mine.map(([day]) => new Date(day * 86_400_000).toISOString().slice(0, 10)));
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ── ids ─────────────────────────────────────────────────────────────────────────────────

const TRIMMED = /^[ \t\r\n\u00a0\u3000\u200b\u2009\u202f\ufeff]|[ \t\r\n\u00a0\u3000\u200b\u2009\u202f\ufeff]$/;
const SUMMARY = /^(合计|合計|小计|小計|总计|總計|累计|累計|总合计|平均|平均值|total|totals|subtotal|sub-total|sub total|grand total|sum|average|avg)[ ]*([:：].*)?$/i;

describe('ids', () => {
  it('come out of the whole raw → lines path exactly as written', async () => {
    const idArb = fc
      .oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
        fc.stringMatching(/^[0-9]{15,20}$/),
        fc.constantFrom('__proto__', 'constructor', 'toString', '00123', '1.38E+10', 'a"b', 'x\u001fy', '"', 'C\n1'),
      )
      .filter(
        (s) =>
          !s.includes('\u0000') &&
          !TRIMMED.test(s) &&
          !(ID_PLACEHOLDERS as readonly string[]).includes(s.toUpperCase()) &&
          !SUMMARY.test(s),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(idArb, { minLength: 1, maxLength: 30 }), async (ids) => {
        await makeRaw(db, 'raw_ids', ids.map((id, i) => [i + 2, RAW_FLAG.data, id, '2023-01-05', '1'] as const), 3);
        await db.exec(linesDdl('lines_ids'));
        const r = await buildLines(
          db,
          { rawTable: 'raw_ids', columnCount: 3, fileNo: 0, mapping: { customer: 0, date: 1, amount: 2 }, target: 'lines_ids', stage: 'stage_ids' },
          DEFAULT_PARSE,
        );
        expect(r.rejected).toEqual([]);
        const rows = await db.query('SELECT customer_id FROM lines_ids ORDER BY line_no');
        expect(rows.map((x) => x.customer_id)).toEqual(ids);
      }),
      { numRuns: 40 },
    );
  });
});

// ── cleaning ────────────────────────────────────────────────────────────────────────────

describe('cleanText', () => {
  it('equals an unconditional translate and trim, whatever the cell holds', async () => {
    const FULL = '０１２３４５６７８９．，－＋（）／：\u2212';
    const HALF = '0123456789.,-+()/:-';
    const TRIM = ' \t\r\n\u00a0\u3000\u200b\u2009\u202f\ufeff';
    const charArb = fc.oneof(
      fc.constantFrom(...FULL, ...TRIM, '￥', '¥', '元', '年', '月', '日', '客', 'é', '😀'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    );
    const cellArb = fc.array(charArb, { maxLength: 12 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(cellArb, { minLength: 1, maxLength: 40 }), async (cells) => {
        const plain = sql`trim(translate(${v}, ${FULL}, ${HALF}), ${TRIM})`;
        const ascii = sql`trim(${v}, ${' \t\r\n'})`;
        // The plain formula, with ASCII cells trimmed of ASCII whitespace only (as before).
        const expected = sql`CASE WHEN length(${v}) = strlen(${v}) THEN ${ascii} ELSE ${plain} END`;
        expect(await parseAll(cells, cleanText(v))).toEqual(await parseAll(cells, expected));
      }),
      { numRuns: 60 },
    );
  });
});
