/**
 * The currency money is shown in: picked, else the one the file names, else none; it travels
 * through links (`ccy`) and `analyze --currency-label`, apart from the analysed group (`cur`).
 */
import { describe, expect, it } from 'vitest';
import { UsageError, settingsFromFlags, settingsHelp } from '../../../src/cli/settings-flags.ts';
import { CURRENCY_LABELS, DEFAULT_SETTINGS, displayCurrency, isCurrencyLabel } from '../../../src/lib/model/settings.ts';
import { readUrlState, writeUrlState } from '../../../src/lib/state/url.ts';

describe('displayCurrency', () => {
  it('auto shows the currency the file names, or none', () => {
    expect(DEFAULT_SETTINGS.currencyLabel).toBe('auto');
    expect(displayCurrency('auto', 'CNY')).toBe('CNY');
    expect(displayCurrency('auto', null)).toBeNull();
  });

  it('a currency picked explicitly names amounts the file leaves unnamed, and wins over the one it names', () => {
    expect(displayCurrency('USD', null)).toBe('USD');
    expect(displayCurrency('USD', 'CNY')).toBe('USD');
    expect(displayCurrency('CNY', 'CNY')).toBe('CNY');
  });

  it('offers only codes Intl can write as a currency', () => {
    for (const code of CURRENCY_LABELS.filter((c) => c !== 'auto')) {
      expect(new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().currency, code).toBe(code);
    }
    expect(isCurrencyLabel('USD')).toBe(true);
    expect(isCurrencyLabel('usd')).toBe(false);
    expect(isCurrencyLabel('XYZ')).toBe(false);
  });
});

describe('the currency shown in links and flags', () => {
  it('round-trips through a link as ccy, beside the analysed group cur', () => {
    const settings = { ...DEFAULT_SETTINGS, currencyLabel: 'EUR' as const, filters: { ...DEFAULT_SETTINGS.filters, currency: 'none' } };
    const link = writeUrlState({ settings, lang: null, panel: null, mapping: {} });
    expect(link).toContain('ccy=EUR');
    expect(link).toContain('cur=none');
    expect(readUrlState(link).settings).toEqual(settings);
    // auto is the default and is left out of links
    expect(writeUrlState({ settings: DEFAULT_SETTINGS, lang: null, panel: null, mapping: {} })).not.toContain('ccy');
  });

  it('drops an unknown code from a link, keeping auto', () => {
    const read = readUrlState('?v=1&ccy=dollars&churn=30');
    expect(read.settings.currencyLabel).toBe('auto');
    expect(read.settings.churnWindowDays).toBe(30);
    expect(read.dropped).toEqual(['ccy']);
  });

  it('is --currency-label on the command line, apart from --currency', () => {
    expect(settingsFromFlags({ 'currency-label': 'JPY' }).currencyLabel).toBe('JPY');
    const both = settingsFromFlags({ 'currency-label': 'USD', currency: 'none' });
    expect(both.currencyLabel).toBe('USD');
    expect(both.filters.currency).toBe('none');
    expect(settingsFromFlags({}).currencyLabel).toBe('auto');
    expect(() => settingsFromFlags({ 'currency-label': 'dollars' })).toThrow(UsageError);
    expect(() => settingsFromFlags({ 'currency-label': 'dollars' })).toThrow(/--currency-label takes one of auto, CNY, .*USD/);
    expect(settingsHelp()).toMatch(/--currency-label VALUE +.*a code wins over the file's: auto, CNY, HKD, .*, CAD \(default auto\)\n/);
  });
});
