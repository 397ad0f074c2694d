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

export { EMPTY, formatBytes, formatCompact, formatDate, formatDuration, formatInteger, formatMoney, formatNumber, formatPercent, formatShort } from '../format.ts';
import { EMPTY, finite, formatInteger, formatMoney, formatNumber, formatPercent, formatShort } from '../format.ts';

export { METRIC_KINDS, type MetricKind } from '../model/metrics.ts';
import { METRIC_KINDS } from '../model/metrics.ts';

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
    case 'parameter':
      return formatNumber(locale, v, 4);
  }
}

/**
 * A KPI as the page shows it: a money or count value abbreviated like the axes from 万 / K on
 * (`formatShort`), anything else as `formatMetric`. `exact` is `formatMetric`'s text.
 */
export function formatMetricShort(
  locale: Locale,
  id: MetricId,
  v: number | null | undefined,
  currency?: string | null,
): { readonly text: string; readonly exact: string; readonly abbreviated: boolean } {
  const exact = formatMetric(locale, id, v, currency);
  const kind = METRIC_KINDS[id];
  if (kind !== 'money' && kind !== 'count') return { text: exact, exact, abbreviated: false };
  const short = formatShort(locale, v, kind, currency);
  return { text: short.abbreviated ? short.text : exact, exact, abbreviated: short.abbreviated };
}
