import { describe, expect, it } from 'vitest';
import { isIsoDate, readUrlState, writeUrlState } from '../../../src/lib/state/url.ts';
import { DEFAULT_SETTINGS, UNMARKED, type Settings } from '../../../src/lib/model/settings.ts';

describe('url state', () => {
  it('writes only the version for the defaults', () => {
    expect(writeUrlState({ settings: DEFAULT_SETTINGS, lang: null, panel: null, mapping: {} })).toBe('?v=1');
  });

  it('round-trips settings, language, panel, filters and a Chinese mapping', () => {
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      asOf: '2024-06-30',
      churnWindowDays: 90,
      tierA: 0.7,
      tierB: 0.9,
      cohortPeriod: 'quarter',
      cohortClock: 'rolling',
      completeThrough: 4,
      retentionMode: 'on_or_after',
      scoreScale: '0-10',
      highSatisfaction: 9,
      loyalMinOrders: 3,
      filters: { from: '2023-01-01', to: '2023-12-31', dims: { region: ['华北', 'A&B=C'] } },
    };
    const mapping = { customer: '客户ID', date: '下单时间', amount: '实付金额' };
    const query = writeUrlState({ settings, lang: 'zh-CN', panel: 'retention', mapping });
    const back = readUrlState(query);
    expect(back).toEqual({ settings, lang: 'zh-CN', panel: 'retention', mapping, demo: false, dropped: [] });
  });

  it('round-trips the contact fields of a mapping by label', () => {
    const mapping = { customer: '客户编码', date: '开单日期', amount: '销售金额', name: '客户名称', phone: '联系电话', contact: '对接人员' };
    const query = writeUrlState({ settings: DEFAULT_SETTINGS, lang: null, panel: null, mapping });
    expect(query).toContain(`m.phone=${encodeURIComponent('联系电话')}`);
    expect(readUrlState(query).mapping).toEqual(mapping);
  });

  it('writes the retention clock and complete-through K as clock= and thru=, and drops malformed ones', () => {
    const q = writeUrlState({ settings: { ...DEFAULT_SETTINGS, cohortClock: 'rolling', completeThrough: 6 }, lang: null, panel: null, mapping: {} });
    expect(q).toBe('?v=1&clock=rolling&thru=6');
    const bad = readUrlState('?v=1&clock=lunar&thru=0&cohort=week');
    expect(bad.settings).toEqual({ ...DEFAULT_SETTINGS, cohortPeriod: 'week' });
    expect(bad.dropped).toEqual(['clock', 'thru']);
    expect(readUrlState('?v=1&thru=2.5').settings.completeThrough).toBeNull();
  });

  it('reads a bare ?demo as the demo flag with defaults', () => {
    expect(readUrlState('?demo')).toEqual({
      settings: DEFAULT_SETTINGS, lang: null, panel: null, mapping: {}, demo: true, dropped: [],
    });
    expect(writeUrlState({ settings: DEFAULT_SETTINGS, lang: 'en', panel: null, mapping: {}, demo: true })).toBe('?v=1&demo&lang=en');
  });

  it('ignores links of another version', () => {
    expect(readUrlState('?v=2&churn=30&lang=en').settings.churnWindowDays).toBe(180);
    expect(readUrlState('?churn=30').lang).toBeNull();
    expect(readUrlState('?v=99&churn=30').dropped).toEqual(['v']);
    expect(readUrlState('?churn=30').dropped).toEqual([]);
  });

  it('falls back to the default for each malformed value', () => {
    const s = readUrlState(
      '?v=1&churn=-4&tierA=abc&tierB=0.5&top=2&cohort=year&rmode=x&scale=1-9&high=11&loyal=2.5' +
        '&asof=2024-02-30&from=2024-05-01&to=2024-04-01&lang=fr&panel=nope',
    );
    expect(s.settings).toEqual({ ...DEFAULT_SETTINGS, filters: { from: '2024-05-01', to: null, dims: {} } });
    expect(s.lang).toBeNull();
    expect(s.panel).toBeNull();
    expect(s.dropped).toEqual(['churn', 'tierA', 'tierB', 'top', 'cohort', 'rmode', 'scale', 'high', 'loyal', 'asof', 'to', 'lang', 'panel']);
  });

  it('says which keys of a hostile link it dropped, and keeps the good ones', () => {
    const s = readUrlState('?v=1&asOf=<script>&asof=<script>&churn=-5&tierA=9&panel=../../x&cohort=quarter&m.nope=x&f.region=');
    expect(s.dropped).toEqual(['asof', 'churn', 'tierA', 'panel', 'm.nope', 'f.region']);
    expect(s.settings).toEqual({ ...DEFAULT_SETTINGS, cohortPeriod: 'quarter' });
    expect(s.panel).toBeNull();
  });

  it('round-trips the currency analysed, and leaves it out when it is the default', () => {
    for (const currency of ['USD', UNMARKED]) {
      const settings: Settings = { ...DEFAULT_SETTINGS, filters: { ...DEFAULT_SETTINGS.filters, currency } };
      const query = writeUrlState({ settings, lang: null, panel: null, mapping: {} });
      expect(query).toBe(`?v=1&cur=${currency}`);
      expect(readUrlState(query)).toMatchObject({ settings, dropped: [] });
    }
    const byDefault: Settings = { ...DEFAULT_SETTINGS, filters: { ...DEFAULT_SETTINGS.filters, currency: null } };
    expect(writeUrlState({ settings: byDefault, lang: null, panel: null, mapping: {} })).toBe('?v=1');
    // A link of v1 written before the key existed still reads as the default currency.
    expect(readUrlState('?v=1&churn=30').settings.filters).toEqual({ from: null, to: null, dims: {} });
  });

  it('drops a currency that is not an upper-case three-letter code or the unmarked group', () => {
    for (const bad of ['usd', 'EURO', 'US', '<b>', "'); --", 'NONE', '']) {
      const s = readUrlState(`?v=1&cur=${encodeURIComponent(bad)}&cohort=week`);
      expect(s.settings).toEqual({ ...DEFAULT_SETTINGS, cohortPeriod: 'week' });
      expect(s.dropped).toEqual(['cur']);
    }
  });

  it('never lets tier B fall below tier A', () => {
    const s = readUrlState('?v=1&tierA=0.9&tierB=0.85').settings;
    expect([s.tierA, s.tierB]).toEqual([0.9, 0.95]);
    const t = readUrlState('?v=1&tierA=0.97').settings;
    expect([t.tierA, t.tierB]).toEqual([0.97, 0.97]);
  });

  it('validates calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-1-01')).toBe(false);
    expect(isIsoDate(null)).toBe(false);
  });
});
