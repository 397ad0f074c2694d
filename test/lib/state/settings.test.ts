/** The dashboard runs again for settings its analyses read, not for the currency shown. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { SettingsState, sameAnalysis } from '../../../src/lib/state/settings.svelte.ts';

describe('SettingsState.analysed', () => {
  it('keeps the same object while only the currency shown changes', () => {
    const s = new SettingsState();
    const first = s.analysed;
    expect(first).toBe(DEFAULT_SETTINGS);
    s.update({ currencyLabel: 'USD' });
    expect(s.value.currencyLabel).toBe('USD');
    expect(s.analysed).toBe(first);
    s.update({ churnWindowDays: 30 });
    expect(s.analysed).not.toBe(first);
    expect(s.analysed.churnWindowDays).toBe(30);
    const second = s.analysed;
    s.setFilters({ from: '2024-01-01' });
    expect(s.analysed).not.toBe(second);
    expect(s.analysed.filters.from).toBe('2024-01-01');
  });

  it('compares every analysed setting and the filters', () => {
    expect(sameAnalysis(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, currencyLabel: 'EUR' })).toBe(true);
    expect(sameAnalysis(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, discount: 0.02 })).toBe(false);
    expect(sameAnalysis(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, filters: { ...DEFAULT_SETTINGS.filters } })).toBe(false);
  });
});
