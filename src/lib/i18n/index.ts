/**
 * Translation and locale formatting as pure functions (testable without a browser).
 * The reactive current language lives in `locale.svelte.ts`.
 */
import type { MetricId } from '../model/metrics.ts';
import { dashboardMessages, type DashboardKey } from './dashboard.ts';
import { en, type MessageKey as PageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

/** Keys of the page (en.ts / zh-CN.ts) and of the dashboard panels (dashboard.ts). */
export type MessageKey = PageKey | DashboardKey;

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Params = Readonly<Record<string, string | number>>;

export const CATALOGUES: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = {
  'zh-CN': { ...dashboardMessages['zh-CN'], ...zhCN },
  en: { ...dashboardMessages.en, ...en },
};

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/** zh, zh-CN, zh-Hans, zh-TW … → 简体中文 (the only Chinese catalogue); anything else → English. */
export function detectLocale(languages: readonly string[]): Locale {
  const first = languages[0]?.toLowerCase() ?? '';
  return first.startsWith('zh') ? 'zh-CN' : 'en';
}

export function hasKey(key: string): key is MessageKey {
  return Object.hasOwn(CATALOGUES.en, key);
}

/** `{name}` placeholders are replaced by `params.name`; unknown placeholders stay visible. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/**
 * The message for `key`. Accepts any string so that other modules' keys can be passed
 * through; an unknown key returns itself (visible in the page, caught by the tests).
 */
export function translate(locale: Locale, key: string, params?: Params): string {
  if (!hasKey(key)) return key;
  return interpolate(CATALOGUES[locale][key], params);
}

/** The placeholders a template uses, sorted (both catalogues must use the same ones). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

// ---------------------------------------------------------------------------------------
// Formatting. A null or non-finite value shows as EMPTY.

export const EMPTY = '–';

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

function finite(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function formatInteger(locale: Locale, v: number | null | undefined): string {
  return finite(v) ? nf(locale, { maximumFractionDigits: 0 }).format(v) : EMPTY;
}

export function formatNumber(locale: Locale, v: number | null | undefined, digits = 2): string {
  return finite(v) ? nf(locale, { maximumFractionDigits: digits }).format(v) : EMPTY;
}

/** Two decimals; with the currency symbol only when the currency is known. */
export function formatMoney(locale: Locale, v: number | null | undefined, currency?: string | null): string {
  if (!finite(v)) return EMPTY;
  if (currency) return nf(locale, { style: 'currency', currency, maximumFractionDigits: 2 }).format(v);
  return nf(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
}

/** A ratio (0.642) as a percent ("64.2%"). */
export function formatPercent(locale: Locale, v: number | null | undefined, digits = 1): string {
  if (!finite(v)) return EMPTY;
  return nf(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v);
}

const dateFormats = new Map<Locale, Intl.DateTimeFormat>();
/** ISO date (YYYY-MM-DD, time ignored) → "Mar 5, 2024" / "2024年3月5日". Invalid text is returned as is. */
export function formatDate(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return EMPTY;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    dateFormats.set(locale, f);
  }
  return f.format(d);
}

/** Elapsed time: "850 ms", "1.3 s" / "850 毫秒", "1.3 秒". */
export function formatDuration(locale: Locale, ms: number | null | undefined): string {
  if (!finite(ms)) return EMPTY;
  if (ms < 1000) return nf(locale, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 }).format(ms);
  return nf(locale, { style: 'unit', unit: 'second', maximumFractionDigits: 1 }).format(ms / 1000);
}

export function formatBytes(locale: Locale, bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return nf(locale, { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
}

/** How a metric's value reads. */
export type MetricKind = 'count' | 'money' | 'ratio' | 'days' | 'decimal' | 'index' | 'points';

export const METRIC_KINDS: Readonly<Record<MetricId, MetricKind>> = {
  rows_read: 'count',
  rows_kept: 'count',
  rows_rejected: 'count',
  rows_skipped: 'count',
  customers: 'count',
  orders: 'count',
  revenue: 'money',
  returns_value: 'money',
  aov: 'money',
  orders_per_customer: 'decimal',
  repurchase_rate: 'ratio',
  repeat_order_share: 'ratio',
  median_days_to_second: 'days',
  top20_share: 'ratio',
  gini: 'index',
  tier_a_customers: 'count',
  tier_a_customer_share: 'ratio',
  retention_m1: 'ratio',
  retention_m3: 'ratio',
  retention_m6: 'ratio',
  retention_m12: 'ratio',
  active_customers: 'count',
  lapsed_customers: 'count',
  customers_with_score: 'count',
  satisfaction_mean: 'decimal',
  quadrant_loyalists: 'count',
  quadrant_mercenaries: 'count',
  quadrant_hostages: 'count',
  quadrant_defectors: 'count',
  nps: 'points',
  km_reached_share: 'ratio',
  median_days_to_second_repeaters: 'days',
  nps_responses: 'count',
};

export function formatMetric(locale: Locale, id: MetricId, v: number | null | undefined, currency?: string | null): string {
  if (!finite(v)) return EMPTY;
  switch (METRIC_KINDS[id]) {
    case 'count':
      return formatInteger(locale, v);
    case 'money':
      return formatMoney(locale, v, currency);
    case 'ratio':
      return formatPercent(locale, v);
    case 'days':
      return translate(locale, 'unit.days', { value: formatNumber(locale, v, 1) });
    case 'decimal':
      return formatNumber(locale, v, 2);
    case 'index':
      return formatNumber(locale, v, 3);
    case 'points':
      return formatNumber(locale, v, 1);
  }
}
