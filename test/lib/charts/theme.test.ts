import { describe, expect, it } from 'vitest';
import { dashboardMessages } from '../../../src/lib/i18n/dashboard.ts';
import { emptyChart, labelWidth, formatCompact, formatInteger, formatMoney, formatPercent, isoDate } from '../../../src/lib/charts/theme.ts';
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
