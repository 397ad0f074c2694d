/**
 * The view in the URL query, so that a link reproduces it: settings, language, panel and
 * the column mapping by header label (never data). Versioned (`v=1`); every value is
 * validated on read and a malformed one falls back to its default. Keys added later within
 * a version only add a choice whose absence means the earlier behaviour (`cur`: absent =
 * the default currency), so older links keep their meaning.
 */
import { isLocale, type Locale } from '../i18n/index.ts';
import { DIMENSIONS, MAPPING_FIELDS, type Dimension, type MappingField } from '../model/schema.ts';
import {
  DEFAULT_SETTINGS,
  isCurrencyChoice,
  type CohortClock,
  type CohortPeriod,
  type RetentionMeasure,
  type RetentionMode,
  type ScoreScale,
  type Settings,
} from '../model/settings.ts';

export const URL_VERSION = '1';
export const PANELS = ['overview', 'pareto', 'repurchase', 'retention', 'satisfaction'] as const;
export type Panel = (typeof PANELS)[number];

/** Mapping by header label: field → the column's label as written in the file. */
export type LabelMapping = Partial<Record<MappingField, string>>;

export interface UrlState {
  readonly settings: Settings;
  readonly lang: Locale | null;
  readonly panel: Panel | null;
  readonly mapping: LabelMapping;
  /** `?demo`: load the demo data on start. */
  readonly demo: boolean;
  /**
   * Keys of the link that were present but not used (malformed or out of range), in query
   * order; `['v']` for a link of another version (then nothing of it is used). For a notice.
   */
  readonly dropped: readonly string[];
}

const COHORTS: readonly CohortPeriod[] = ['week', 'month', 'quarter'];
const MODES: readonly RetentionMode[] = ['on', 'on_or_after'];
const MEASURES: readonly RetentionMeasure[] = ['customers', 'revenue'];
const SCALES: readonly ScoreScale[] = ['1-5', '1-7', '0-10', '1-10'];
// Retention clock and "complete through k" (`clock`, `thru`): absent = calendar periods, every complete cell.
const CLOCKS: readonly CohortClock[] = ['calendar', 'rolling'];
const THRU_MAX = 520;

function oneOf<T extends string>(allowed: readonly T[], v: string | null): T | null {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : null;
}

function numberIn(v: string | null, min: number, max: number, integer = false): number | null {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) return null;
  if (integer && !Number.isInteger(n)) return null;
  return n;
}

/** A real calendar day written as YYYY-MM-DD. */
export function isIsoDate(v: string | null): v is string {
  if (v === null) return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const DIM_KEY = (d: Dimension) => `f.${d}`;
const MAP_KEY = (f: MappingField) => `m.${f}`;

/** Settings (only the values that differ from the defaults), language, panel and mapping as a query string. */
export function writeUrlState(state: Omit<UrlState, 'demo' | 'dropped'> & { demo?: boolean }): string {
  const p = new URLSearchParams();
  p.set('v', URL_VERSION);
  if (state.demo) p.set('demo', '');
  if (state.lang) p.set('lang', state.lang);
  if (state.panel) p.set('panel', state.panel);
  const s = state.settings;
  const d = DEFAULT_SETTINGS;
  if (s.asOf !== d.asOf && s.asOf !== null) p.set('asof', s.asOf);
  if (s.churnWindowDays !== d.churnWindowDays) p.set('churn', String(s.churnWindowDays));
  if (s.tierA !== d.tierA) p.set('tierA', String(s.tierA));
  if (s.tierB !== d.tierB) p.set('tierB', String(s.tierB));
  if (s.topShare !== d.topShare) p.set('top', String(s.topShare));
  if (s.cohortPeriod !== d.cohortPeriod) p.set('cohort', s.cohortPeriod);
  if (s.cohortClock !== d.cohortClock) p.set('clock', s.cohortClock);
  if (s.completeThrough !== null) p.set('thru', String(s.completeThrough));
  if (s.retentionMode !== d.retentionMode) p.set('rmode', s.retentionMode);
  if (s.retentionMeasure !== d.retentionMeasure) p.set('rmeasure', s.retentionMeasure);
  if (s.scoreScale !== null) p.set('scale', s.scoreScale);
  if (s.highSatisfaction !== null) p.set('high', String(s.highSatisfaction));
  if (s.loyalMinOrders !== d.loyalMinOrders) p.set('loyal', String(s.loyalMinOrders));
  if (s.filters.from !== null) p.set('from', s.filters.from);
  if (s.filters.to !== null) p.set('to', s.filters.to);
  for (const dim of DIMENSIONS) for (const v of s.filters.dims[dim] ?? []) p.append(DIM_KEY(dim), v);
  if (isCurrencyChoice(s.filters.currency)) p.set('cur', s.filters.currency);
  for (const f of MAPPING_FIELDS) {
    const label = state.mapping[f];
    if (label !== undefined) p.set(MAP_KEY(f), label);
  }
  // `demo` is a flag: write it without "=".
  return '?' + p.toString().replace(/(^|&)demo=(&|$)/, '$1demo$2');
}

export function readUrlState(search: string): UrlState {
  const p = new URLSearchParams(search);
  const demo = p.has('demo');
  const version = p.get('v');
  // Only a link written by this program (or a bare `?demo`) is read; anything else is ignored.
  if (version !== URL_VERSION) {
    return { settings: DEFAULT_SETTINGS, lang: null, panel: null, mapping: {}, demo, dropped: version === null ? [] : ['v'] };
  }
  const d = DEFAULT_SETTINGS;
  const tierA = numberIn(p.get('tierA'), 0.05, 0.99) ?? d.tierA;
  const tierBRead = numberIn(p.get('tierB'), 0.05, 1);
  const tierB = tierBRead !== null && tierBRead > tierA ? tierBRead : Math.max(d.tierB, tierA);
  const from = p.get('from');
  const to = p.get('to');
  const currency = p.get('cur');
  const dims: Partial<Record<Dimension, readonly string[]>> = {};
  for (const dim of DIMENSIONS) {
    const values = p.getAll(DIM_KEY(dim)).filter((v) => v.length > 0 && v.length <= 200);
    if (values.length > 0) dims[dim] = values;
  }
  const settings: Settings = {
    asOf: isIsoDate(p.get('asof')) ? p.get('asof') : d.asOf,
    churnWindowDays: numberIn(p.get('churn'), 1, 3650, true) ?? d.churnWindowDays,
    tierA,
    tierB,
    topShare: numberIn(p.get('top'), 0.01, 0.99) ?? d.topShare,
    cohortPeriod: oneOf(COHORTS, p.get('cohort')) ?? d.cohortPeriod,
    cohortClock: oneOf(CLOCKS, p.get('clock')) ?? d.cohortClock,
    completeThrough: numberIn(p.get('thru'), 1, THRU_MAX, true) ?? d.completeThrough,
    retentionMode: oneOf(MODES, p.get('rmode')) ?? d.retentionMode,
    retentionMeasure: oneOf(MEASURES, p.get('rmeasure')) ?? d.retentionMeasure,
    scoreScale: oneOf(SCALES, p.get('scale')) ?? d.scoreScale,
    highSatisfaction: numberIn(p.get('high'), 0, 10) ?? d.highSatisfaction,
    loyalMinOrders: numberIn(p.get('loyal'), 2, 100, true) ?? d.loyalMinOrders,
    filters: {
      from: isIsoDate(from) ? from : null,
      to: isIsoDate(to) && (!isIsoDate(from) || to >= from) ? to : null,
      dims,
      // Absent unless the link names one, so a link without it reads back as the defaults.
      ...(isCurrencyChoice(currency) ? { currency } : {}),
    },
  };
  const mapping: LabelMapping = {};
  for (const f of MAPPING_FIELDS) {
    const label = p.get(MAP_KEY(f));
    if (label !== null && label.length > 0 && label.length <= 200) mapping[f] = label;
  }
  const lang = p.get('lang');
  const panel = oneOf(PANELS, p.get('panel'));
  const used: Record<string, boolean> = {
    asof: settings.asOf === p.get('asof'),
    churn: numberIn(p.get('churn'), 1, 3650, true) !== null,
    tierA: numberIn(p.get('tierA'), 0.05, 0.99) !== null,
    tierB: tierBRead !== null && tierBRead > tierA,
    top: numberIn(p.get('top'), 0.01, 0.99) !== null,
    cohort: oneOf(COHORTS, p.get('cohort')) !== null,
    clock: oneOf(CLOCKS, p.get('clock')) !== null,
    thru: numberIn(p.get('thru'), 1, THRU_MAX, true) !== null,
    rmode: oneOf(MODES, p.get('rmode')) !== null,
    rmeasure: oneOf(MEASURES, p.get('rmeasure')) !== null,
    scale: oneOf(SCALES, p.get('scale')) !== null,
    high: numberIn(p.get('high'), 0, 10) !== null,
    loyal: numberIn(p.get('loyal'), 2, 100, true) !== null,
    from: settings.filters.from !== null,
    to: settings.filters.to !== null,
    cur: isCurrencyChoice(currency),
    lang: isLocale(lang),
    panel: panel !== null,
  };
  const dropped = [...new Set([...p.keys()])]
    .filter(
      (k) =>
        used[k] === false ||
        (k.startsWith('f.') && p.getAll(k).some((v) => v.length === 0 || v.length > 200)) ||
        (k.startsWith('m.') && mapping[k.slice(2) as MappingField] === undefined),
    )
    .slice(0, 20)
    .map((k) => k.slice(0, 40));
  return {
    settings,
    lang: isLocale(lang) ? lang : null,
    panel,
    mapping,
    demo,
    dropped,
  };
}
