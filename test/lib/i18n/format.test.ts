import { describe, expect, it } from 'vitest';
import {
  detectLocale,
  EMPTY,
  formatDate,
  formatDuration,
  formatInteger,
  formatMetric,
  formatMoney,
  formatPercent,
  interpolate,
  translate,
} from '../../../src/lib/i18n/index.ts';

describe('detectLocale', () => {
  it('maps every Chinese tag to zh-CN and everything else to English', () => {
    expect(detectLocale(['zh-CN'])).toBe('zh-CN');
    expect(detectLocale(['zh'])).toBe('zh-CN');
    expect(detectLocale(['zh-TW', 'en'])).toBe('zh-CN');
    expect(detectLocale(['en-US', 'zh-CN'])).toBe('en');
    expect(detectLocale(['de-DE'])).toBe('en');
    expect(detectLocale([])).toBe('en');
  });
});

describe('translate', () => {
  it('fills placeholders and keeps unknown ones visible', () => {
    expect(interpolate('{a} of {b}', { a: 3 })).toBe('3 of {b}');
    expect(translate('en', 'report.firstShown', { shown: 50, total: 1200 })).toBe('The first 50 of 1200 are shown.');
    expect(translate('zh-CN', 'report.firstShown', { shown: 50, total: 1200 })).toBe('显示前 50 条，共 1200 条。');
  });

  it('returns an unknown key as is', () => {
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });

  it('gives the promise in both languages', () => {
    expect(translate('en', 'app.promise')).toBe('Your files never leave this computer');
    expect(translate('zh-CN', 'app.promise')).toBe('文件不会离开你的电脑');
  });
});

describe('formatting', () => {
  it('groups integers per locale', () => {
    expect(formatInteger('en', 541909)).toBe('541,909');
    expect(formatInteger('zh-CN', 541909)).toBe('541,909');
    expect(formatInteger('en', null)).toBe(EMPTY);
    expect(formatInteger('en', Number.NaN)).toBe(EMPTY);
  });

  it('shows money with two decimals, with a symbol only when the currency is known', () => {
    expect(formatMoney('en', 1234.5)).toBe('1,234.50');
    expect(formatMoney('zh-CN', 1234.5, 'CNY')).toBe('¥1,234.50');
    expect(formatMoney('en', -12, 'USD')).toBe('-$12.00');
  });

  it('shows ratios as percents with one decimal', () => {
    expect(formatPercent('en', 0.6421)).toBe('64.2%');
    expect(formatPercent('zh-CN', 0.05)).toBe('5.0%');
  });

  it('formats ISO dates per locale at UTC', () => {
    expect(formatDate('en', '2024-03-05')).toBe('Mar 5, 2024');
    expect(formatDate('zh-CN', '2024-03-05')).toBe('2024年3月5日');
    expect(formatDate('en', '2024-03-05 23:59:59')).toBe('Mar 5, 2024');
    expect(formatDate('en', 'not a date')).toBe('not a date');
    expect(formatDate('en', null)).toBe(EMPTY);
  });

  it('formats durations in ms below a second, else seconds', () => {
    expect(formatDuration('en', 850)).toBe('850 ms');
    expect(formatDuration('en', 1340)).toBe('1.3 sec');
    expect(formatDuration('zh-CN', 1340)).toBe('1.3秒');
  });

  it('formats each metric by its kind', () => {
    expect(formatMetric('en', 'customers', 23570)).toBe('23,570');
    expect(formatMetric('en', 'repurchase_rate', 0.375)).toBe('37.5%');
    expect(formatMetric('en', 'revenue', 2500000.456)).toBe('2,500,000.46');
    expect(formatMetric('en', 'median_days_to_second', 42.5)).toBe('42.5 days');
    expect(formatMetric('zh-CN', 'median_days_to_second', 42)).toBe('42 天');
    expect(formatMetric('en', 'gini', 0.61234)).toBe('0.612');
    expect(formatMetric('en', 'nps', -12.5)).toBe('-12.5');
    expect(formatMetric('en', 'top20_share', null)).toBe(EMPTY);
  });
});
