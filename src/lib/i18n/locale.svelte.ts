/**
 * The page's current language (reactive). Components call `i18n.t(key)` and the format
 * helpers; reading them inside markup re-renders when the language changes.
 */
import type { MetricId } from '../model/metrics.ts';
import {
  detectLocale,
  formatBytes,
  formatDate,
  formatDuration,
  formatInteger,
  formatMetric,
  formatMetricShort,
  formatMoney,
  formatNumber,
  formatPercent,
  isLocale,
  translate,
  type Locale,
  type Params,
} from './index.ts';

const STORAGE_KEY = 'loyalty-lens.lang';

function stored(): Locale | null {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(v) ? v : null;
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  const nav = globalThis.navigator;
  return stored() ?? detectLocale(nav ? [...(nav.languages ?? []), nav.language ?? ''] : []);
}

class I18n {
  locale = $state<Locale>(initialLocale());

  set(locale: Locale): void {
    this.locale = locale;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, locale);
    } catch {
      // Private mode: the choice still holds for this visit.
    }
  }

  t = (key: string, params?: Params): string => translate(this.locale, key, params);
  int = (v: number | null | undefined): string => formatInteger(this.locale, v);
  num = (v: number | null | undefined, digits?: number): string => formatNumber(this.locale, v, digits);
  money = (v: number | null | undefined, currency?: string | null): string => formatMoney(this.locale, v, currency);
  pct = (v: number | null | undefined, digits?: number): string => formatPercent(this.locale, v, digits);
  date = (iso: string | null | undefined): string => formatDate(this.locale, iso);
  duration = (ms: number | null | undefined): string => formatDuration(this.locale, ms);
  bytes = (n: number): string => formatBytes(this.locale, n);
  metric = (id: MetricId, v: number | null | undefined, currency?: string | null): string =>
    formatMetric(this.locale, id, v, currency);
  /** Abbreviated from 万 / K on for money and counts; `exact` for a title or a table. */
  metricShort = (id: MetricId, v: number | null | undefined, currency?: string | null) => formatMetricShort(this.locale, id, v, currency);
}

export const i18n = new I18n();
