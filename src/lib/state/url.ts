/**
 * The view in the URL query, so that a link reproduces it: settings, language, panel and
 * the column mapping by header label (never data). Versioned (`v=1`); every value is
 * validated on read and a malformed one falls back to its default. Keys added later within
 * a version only add a choice whose absence means the earlier behaviour (`cur`: absent =
 * the default currency), so older links keep their meaning.
 */
import { isLocale, type Locale } from '../i18n/index.ts';
import { PANEL_IDS, type PanelId } from '../analyses/registry.ts';
import { DIMENSIONS, MAPPING_FIELDS, type Dimension, type MappingField } from '../model/schema.ts';
import { DEFAULT_SETTINGS, isCurrencyChoice, type Settings } from '../model/settings.ts';
import { SETTINGS_TABLE, formatSetting, isIsoDate, parseSetting, reconcile, type SettingKey } from '../model/settings-table.ts';

export { isIsoDate };
export const URL_VERSION = '1';
/** The dashboard's panels in tab order (the panel registry's ids). */
export const PANELS = PANEL_IDS;
export type Panel = PanelId;

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

function oneOf<T extends string>(allowed: readonly T[], v: string | null): T | null {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : null;
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
  for (const def of SETTINGS_TABLE) {
    const text = formatSetting(s[def.key]);
    if (text !== null && s[def.key] !== DEFAULT_SETTINGS[def.key]) p.set(def.param, text);
  }
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
  const from = p.get('from');
  const to = p.get('to');
  const currency = p.get('cur');
  const dims: Partial<Record<Dimension, readonly string[]>> = {};
  for (const dim of DIMENSIONS) {
    const values = p.getAll(DIM_KEY(dim)).filter((v) => v.length > 0 && v.length <= 200);
    if (values.length > 0) dims[dim] = values;
  }
  const values: Partial<Record<SettingKey, unknown>> = {};
  const used: Record<string, boolean> = {};
  for (const def of SETTINGS_TABLE) {
    const text = p.get(def.param);
    if (text === null) continue;
    const value = parseSetting(def, text);
    used[def.param] = value !== undefined;
    if (value !== undefined) values[def.key] = value;
  }
  // Each value was checked against its own entry of the table just above.
  const read = { ...DEFAULT_SETTINGS, ...values } as Settings;
  const { settings: reconciled, replaced } = reconcile(read);
  for (const key of replaced) {
    const param = SETTINGS_TABLE.find((def) => def.key === key)?.param;
    if (param !== undefined && p.has(param)) used[param] = false;
  }
  const settings: Settings = {
    ...reconciled,
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
  used.from = settings.filters.from !== null;
  used.to = settings.filters.to !== null;
  used.cur = isCurrencyChoice(currency);
  used.lang = isLocale(lang);
  used.panel = panel !== null;
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
