import { describe, expect, it } from 'vitest';
import { dashboardMessages } from '../../../src/lib/i18n/dashboard.ts';
import { emptyChart, labelWidth, formatCompact, formatInteger, formatMoney, formatMonth, formatPercent, integerTicks, isoDate, monthAxis } from '../../../src/lib/charts/theme.ts';
import { describeSpec } from './spec.ts';
import { chartContext } from './context.ts';

describe('theme formats', () => {
  it('formats percent, integers, money and compact numbers per locale', () => {
    expect(formatPercent('en', 0.6421)).toBe('64.2%');
    expect(formatPercent('zh-CN', 0.6421, 0)).toBe('64%');
    expect(formatPercent('en', null)).toBe('–');
    expect(formatPercent('en', Number.NaN)).toBe('–');
    expect(formatInteger('en', 12345.6)).toBe('12,346');
    expect(formatMoney('en', 1234.5, null)).toBe('1,234.50');
    expect(formatMoney('zh-CN', 1234.5, 'CNY')).toBe('¥1,234.50');
    expect(formatCompact('en', 12500)).toBe('12.5K');
    expect(formatCompact('zh-CN', 12500)).toBe('1.3万');
  });

  it('estimates label widths with CJK characters twice as wide as Latin ones', () => {
    expect(labelWidth('abcde')).toBe(36);
    // 7 CJK or full-width characters × 12 + 4 others (≥, 2, two spaces) × 7.2 = 112.8
    expect(labelWidth('忠诚（≥ 2 笔订单）')).toBe(113);
  });

  it('reads ISO dates as UTC midnight', () => {
    expect(isoDate('2024-03-01').toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(isoDate('2024-03-01 00:00:00').toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it('count axes get whole-number ticks while the span is under 10', () => {
    expect(integerTicks(0, 3)).toEqual([0, 1, 2, 3]);
    expect(integerTicks(0, 2.5)).toEqual([0, 1, 2]);
    expect(integerTicks(1, 2)).toEqual([1, 2]);
    expect(integerTicks(0, 9)).toEqual([0, 2, 4, 6, 8]);
    expect(integerTicks(0, 10)).toBeUndefined();
    expect(integerTicks(0, Number.NEGATIVE_INFINITY)).toBeUndefined();
  });

  it('month axes: one tick per month, labelled for the locale, thinned to fit', () => {
    const iso = (ticks: readonly Date[]) => ticks.map((d) => d.toISOString().slice(0, 10));
    expect(formatMonth('en', isoDate('2024-02-29'))).toBe('Feb 2024');
    expect(formatMonth('zh-CN', isoDate('2024-02-01'))).toBe('2024年2月');
    // month ends (as in active vs lapsed): only the month starts inside the range
    const ends = monthAxis(chartContext('en'), ['2024-01-31', '2024-02-29', '2024-03-31'].map(isoDate));
    expect(iso(ends.ticks)).toEqual(['2024-02-01', '2024-03-01']);
    expect(ends.tickFormat(ends.ticks[0] ?? new Date(0))).toBe('Feb 2024');
    // centred under month-wide bars: January's middle is 15 Jan 12:00 (31 days)
    const bars = monthAxis(chartContext('zh-CN'), ['2024-01-01', '2024-02-01'].map(isoDate), { centred: true });
    expect(bars.ticks.map((d) => d.toISOString())).toEqual(['2024-01-16T12:00:00.000Z', '2024-02-15T12:00:00.000Z']);
    expect(bars.tickFormat(bars.ticks[1] ?? new Date(0))).toBe('2024年2月');
    // 24 months at 640 px: "Jan 2024" ≈ 48 + 12 px per label → 560 px hold 9 → every 3rd month (8 labels)
    const months = Array.from({ length: 24 }, (_, i) => new Date(Date.UTC(2024, i, 1)));
    expect(iso(monthAxis(chartContext('en', 640), months).ticks)).toEqual([
      '2024-01-01', '2024-04-01', '2024-07-01', '2024-10-01', '2025-01-01', '2025-04-01', '2025-07-01', '2025-10-01',
    ]);
    expect(monthAxis(chartContext('en'), []).ticks).toEqual([]);
  });

  it('an empty chart is one centred note and no scales', () => {
    expect(describeSpec(emptyChart(chartContext('zh-CN')))).toMatchInlineSnapshot(`
      {
        "height": 160,
        "marks": [
          {
            "channels": {
              "text": [
                "此图暂无数据",
              ],
            },
            "n": 1,
            "styles": {
              "fill": "#52606D",
              "frameAnchor": "middle",
            },
            "type": "Text",
          },
        ],
        "scales": {},
        "width": 640,
      }
    `);
  });
});

describe('dashboard messages', () => {
  it('have the same keys and placeholders in both locales', () => {
    const en = dashboardMessages.en;
    const zh = dashboardMessages['zh-CN'];
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const holes = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(holes(zh[key]), key).toEqual(holes(en[key]));
    }
  });
});
