/**
 * KPIs abbreviate large money and counts with the axes' units (万/亿 in Chinese, K/M in
 * English) from the first unit on, and keep smaller values exact.
 */
import { describe, expect, it, vi } from 'vitest';
import { ABBREVIATE_FROM, EMPTY, formatShort } from '../../src/lib/format.ts';
import { formatMetricShort } from '../../src/lib/i18n/index.ts';

describe('formatShort', () => {
  it('abbreviates from 10,000 in Chinese: 9,999 stays exact', () => {
    expect(ABBREVIATE_FROM['zh-CN']).toBe(10_000);
    expect(formatShort('zh-CN', 9_999, 'count')).toEqual({ text: '9,999', abbreviated: false });
    expect(formatShort('zh-CN', 10_000, 'count')).toEqual({ text: '1万', abbreviated: true });
    expect(formatShort('zh-CN', 9_999.5, 'money', 'CNY')).toEqual({ text: '¥9,999.50', abbreviated: false });
    expect(formatShort('zh-CN', 10_000, 'money', 'CNY')).toEqual({ text: '¥1万', abbreviated: true });
  });

  it('abbreviates from 1,000 in English: 999 stays exact', () => {
    expect(formatShort('en', 999, 'count')).toEqual({ text: '999', abbreviated: false });
    expect(formatShort('en', 1_000, 'count')).toEqual({ text: '1K', abbreviated: true });
    expect(formatShort('en', 999.99, 'money', 'USD')).toEqual({ text: '$999.99', abbreviated: false });
    expect(formatShort('en', 1_000, 'money', 'USD')).toEqual({ text: '$1K', abbreviated: true });
  });

  it('keeps four significant digits and at most two decimals', () => {
    // 1,234,567.89 = 123.456789 万 → 123.5万 (4 digits); = 1.23456789 M → 1.23M (2 decimals).
    expect(formatShort('zh-CN', 1_234_567.89, 'money', 'CNY').text).toBe('¥123.5万');
    expect(formatShort('en', 1_234_567.89, 'money', 'USD').text).toBe('$1.23M');
    expect(formatShort('en', 1_234_567.89, 'money', 'CNY').text).toBe('CN¥1.23M');
    expect(formatShort('en', 12_345, 'count').text).toBe('12.35K');
    expect(formatShort('zh-CN', 12_345, 'count').text).toBe('1.23万');
  });

  it('uses 亿 from one hundred million and carries a rounded 9,999.95万 over to it', () => {
    expect(formatShort('zh-CN', 100_000_000, 'money', 'CNY').text).toBe('¥1亿');
    expect(formatShort('zh-CN', 99_999_999, 'count').text).toBe('1亿');
    expect(formatShort('zh-CN', 250_000_000, 'count').text).toBe('2.5亿');
    expect(formatShort('en', 999_999, 'count').text).toBe('1M');
  });

  it('treats negative values by their size', () => {
    expect(formatShort('zh-CN', -1_234_567.89, 'money', 'CNY').text).toBe('-¥123.5万');
    expect(formatShort('en', -1_234_567.89, 'money', 'USD').text).toBe('-$1.23M');
    expect(formatShort('zh-CN', -9_999, 'count')).toEqual({ text: '-9,999', abbreviated: false });
    expect(formatShort('en', -999, 'count')).toEqual({ text: '-999', abbreviated: false });
    expect(formatShort('en', -1_000, 'count')).toEqual({ text: '-1K', abbreviated: true });
  });

  it('shows money without a symbol when no currency is known', () => {
    expect(formatShort('zh-CN', 1_234_567.89, 'money', null).text).toBe('123.5万');
    expect(formatShort('en', 1_234_567.89, 'money').text).toBe('1.23M');
    expect(formatShort('en', 999.5, 'money').text).toBe('999.50');
  });

  it('shows nothing for a missing value', () => {
    expect(formatShort('en', null, 'count')).toEqual({ text: EMPTY, abbreviated: false });
    expect(formatShort('en', Number.NaN, 'money', 'USD')).toEqual({ text: EMPTY, abbreviated: false });
  });
});

describe('formatMetricShort', () => {
  it('abbreviates money and count metrics only, and keeps the exact text', () => {
    expect(formatMetricShort('zh-CN', 'revenue', 1_234_567.89, 'CNY')).toEqual({ text: '¥123.5万', exact: '¥1,234,567.89', abbreviated: true });
    expect(formatMetricShort('en', 'customers', 23_456, null)).toEqual({ text: '23.46K', exact: '23,456', abbreviated: true });
    expect(formatMetricShort('en', 'customers', 999, null)).toEqual({ text: '999', exact: '999', abbreviated: false });
    // A decimal, a ratio or a parameter is never abbreviated, however large.
    expect(formatMetricShort('en', 'clv_expected_purchases', 123_456.78, null)).toEqual({ text: '123,456.78', exact: '123,456.78', abbreviated: false });
    expect(formatMetricShort('en', 'repurchase_rate', 0.5, null).abbreviated).toBe(false);
  });
});

describe('date formatters', () => {
  it('are made once per locale and kind, not per value (a month axis formats every month on each drawing)', async () => {
    const { formatDate, formatMonth } = await import('../../src/lib/format.ts');
    const Real = Intl.DateTimeFormat;
    let made = 0;
    const Counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made++;
      return new Real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    vi.stubGlobal('Intl', { ...Intl, DateTimeFormat: Counting });
    try {
      const months: string[] = [];
      for (let m = 0; m < 120; m++) months.push(formatMonth('en', new Date(Date.UTC(2020, m, 1))), formatMonth('zh-CN', new Date(Date.UTC(2020, m, 1))));
      for (let i = 0; i < 50; i++) formatDate('en', '2024-03-05');
      expect(months.slice(0, 2)).toEqual(['Jan 2020', '2020年1月']);
      expect(months.at(-1)).toBe('2029年12月');
      // At most one per locale and kind (fewer when an earlier test made them already).
      expect(made).toBeLessThanOrEqual(3);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
