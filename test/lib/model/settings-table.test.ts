/**
 * One settings table read by the link codec, the setting fields and `analyze`: every
 * setting has exactly one entry, and a value the table accepts travels through a link and
 * through a command-line flag to the same Settings.
 */
import { describe, expect, it } from 'vitest';
import { UsageError, settingsFromFlags } from '../../../src/cli/settings-flags.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/lib/model/settings.ts';
import { SETTINGS_TABLE, parseSetting, type SettingDef, type SettingKey } from '../../../src/lib/model/settings-table.ts';
import { readUrlState, writeUrlState } from '../../../src/lib/state/url.ts';

const KEYS = Object.keys(DEFAULT_SETTINGS).filter((k) => k !== 'filters') as SettingKey[];

/** A value other than the default that the table accepts. */
function otherValue(def: SettingDef): string {
  switch (def.kind) {
    case 'int':
      return String(def.min + 1 === DEFAULT_SETTINGS[def.key] ? def.min + 2 : def.min + 1);
    case 'number':
      if (def.min + 1 > def.max) return String((def.min + def.max) / 2);
      return String(def.min + 1 === DEFAULT_SETTINGS[def.key] ? def.min + 2 : def.min + 1);
    case 'share':
      return def.key === 'tierB' ? '0.97' : def.key === 'tierA' ? '0.7' : def.key === 'paceThreshold' ? '0.6' : def.max >= 0.3 ? '0.3' : String((def.min + def.max) / 2);
    case 'choice':
      return def.values.find((v) => v !== DEFAULT_SETTINGS[def.key]) ?? def.values[0] ?? '';
    case 'date':
      return '2024-02-29';
  }
}

describe('the settings table', () => {
  it('has one entry per setting, with distinct link keys and flags', () => {
    expect(SETTINGS_TABLE.map((d) => d.key).sort()).toEqual([...KEYS].sort());
    expect(new Set(SETTINGS_TABLE.map((d) => d.param)).size).toBe(SETTINGS_TABLE.length);
    expect(new Set(SETTINGS_TABLE.map((d) => d.flag)).size).toBe(SETTINGS_TABLE.length);
    for (const d of SETTINGS_TABLE) expect(d.flag).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it('accepts every default it declares, and nothing outside the bounds', () => {
    for (const def of SETTINGS_TABLE) {
      const d = DEFAULT_SETTINGS[def.key];
      if (d !== null) expect(parseSetting(def, String(d)), def.key).toBe(d);
      if (def.kind === 'int' || def.kind === 'number' || def.kind === 'share') {
        expect(parseSetting(def, String(def.min - 0.5)), def.key).toBeUndefined();
        expect(parseSetting(def, String(def.max + 0.5)), def.key).toBeUndefined();
        expect(parseSetting(def, String(def.max)), def.key).toBe(def.max);
      }
      if (def.kind === 'int') expect(parseSetting(def, String(def.min + 0.5))).toBeUndefined();
      if (def.kind === 'choice') expect(parseSetting(def, 'nonsense')).toBeUndefined();
      if (def.kind === 'date') expect(parseSetting(def, '2023-02-29')).toBeUndefined();
    }
  });

  it('a value reaches the same Settings through a link and through its flag', () => {
    for (const def of SETTINGS_TABLE) {
      const text = otherValue(def);
      const value = parseSetting(def, text);
      expect(value, def.key).not.toBeUndefined();
      const expected = { ...DEFAULT_SETTINGS, [def.key]: value } as Settings;
      const link = writeUrlState({ settings: expected, lang: null, panel: null, mapping: {} });
      expect(link, def.key).toContain(`${encodeURIComponent(def.param)}=`);
      expect(readUrlState(link).settings, def.key).toEqual(expected);
      expect(readUrlState(link).dropped, def.key).toEqual([]);
      const fromFlag = settingsFromFlags({ [def.flag]: text });
      expect({ ...fromFlag, filters: expected.filters }, def.key).toEqual(expected);
    }
  });

  it('flags take shares as 0.8, 80 or 80 %, and refuse what a link would drop', () => {
    for (const v of ['0.7', '70', '70%']) expect(settingsFromFlags({ 'tier-a': v }).tierA).toBe(0.7);
    expect(settingsFromFlags({ 'tier-cuts': '60,90' })).toMatchObject({ tierA: 0.6, tierB: 0.9 });
    expect(settingsFromFlags({ 'score-scale': 'auto', 'as-of': 'auto' })).toMatchObject({ scoreScale: null, asOf: null });
    expect(() => settingsFromFlags({ 'churn-window': '0' })).toThrow(UsageError);
    expect(() => settingsFromFlags({ 'churn-window': '0' })).toThrow('--churn-window takes a whole number from 1 to 3650, not "0"');
    expect(() => settingsFromFlags({ 'loyal-min-orders': '2.5' })).toThrow(UsageError);
    expect(() => settingsFromFlags({ 'tier-cuts': '95,80' })).toThrow(/must lie above/);
    expect(() => settingsFromFlags({ filter: ['colour=red'] })).toThrow(/--filter takes dimension=value/);
    expect(() => settingsFromFlags({ from: '2024-05-01', to: '2024-04-01' })).toThrow(/comes before/);
    expect(settingsFromFlags({ filter: ['category=茶叶', 'category=咖啡', 'region=华东'] }).filters.dims).toEqual({ category: ['茶叶', '咖啡'], region: ['华东'] });
  });
});
