/**
 * Every setting declared once: its key in `Settings`, its link parameter, its command-line
 * flag, its kind and bounds, and the panels it changes. The link codec (`state/url.ts`),
 * the setting fields of the views and `analyze` all read this table, so a bound or a name
 * is written in one place. Defaults are `DEFAULT_SETTINGS` (METRICS.md).
 *
 * Filters (date range, dimension values, currency) are not settings of one value and keep
 * their own link keys (`from`, `to`, `f.<dim>`, `cur`) and flags (`--from`, `--to`,
 * `--filter dim=value`, `--currency`). `--currency` picks the currency group analysed;
 * `currencyLabel` (`--currency-label`) only names the currency money is shown in.
 */
import { CURRENCY_LABELS, DEFAULT_SETTINGS, type Settings } from './settings.ts';

/** A setting of one value (the filters are not among them). */
export type SettingKey = Exclude<keyof Settings, 'filters'>;

interface Common<K extends SettingKey> {
  readonly key: K;
  /** Query-string key in share links. */
  readonly param: string;
  /** `analyze --<flag>`. */
  readonly flag: string;
  /** Panel ids whose results the setting changes. */
  readonly panels: readonly string[];
  /** One line for `analyze --help` (English, like the other CLI text). */
  readonly help: string;
}

/** A whole number of days, orders …, inclusive bounds. */
export interface IntSetting<K extends SettingKey = SettingKey> extends Common<K> {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
  readonly nullable?: boolean;
}

/** A number with inclusive bounds; `nullable` when null means "automatic". */
export interface NumberSetting<K extends SettingKey = SettingKey> extends Common<K> {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly nullable?: boolean;
}

/** A share 0 … 1 (shown as a percentage), inclusive bounds. */
export interface ShareSetting<K extends SettingKey = SettingKey> extends Common<K> {
  readonly kind: 'share';
  readonly min: number;
  readonly max: number;
}

export interface ChoiceSetting<K extends SettingKey = SettingKey> extends Common<K> {
  readonly kind: 'choice';
  readonly values: readonly string[];
  readonly nullable?: boolean;
}

/** An ISO calendar day; null means "automatic". */
export interface DateSetting<K extends SettingKey = SettingKey> extends Common<K> {
  readonly kind: 'date';
}

export type SettingDef = IntSetting | NumberSetting | ShareSetting | ChoiceSetting | DateSetting;

export const SETTINGS_TABLE: readonly SettingDef[] = [
  {
    key: 'asOf',
    param: 'asof',
    flag: 'as-of',
    kind: 'date',
    panels: ['overview', 'pareto', 'repurchase', 'retention', 'satisfaction', 'clv'],
    help: 'the as-of date YYYY-MM-DD; auto = the latest day with a kept line',
  },
  {
    key: 'churnWindowDays',
    param: 'churn',
    flag: 'churn-window',
    kind: 'int',
    min: 1,
    max: 3650,
    panels: ['overview', 'retention', 'segments', 'lifecycle', 'composition', 'warnings'],
    help: 'churn window W in days: active = bought within W days of the as-of date',
  },
  {
    key: 'topShare',
    param: 'top',
    flag: 'top-share',
    kind: 'share',
    min: 0.01,
    max: 0.99,
    panels: ['pareto'],
    help: 'X of "the top X % of customers bring Y % of value" (top20_share always uses 20 %)',
  },
  {
    key: 'tierA',
    param: 'tierA',
    flag: 'tier-a',
    kind: 'share',
    min: 0.05,
    max: 0.99,
    panels: ['pareto'],
    help: 'tier A ends where the cumulative share of value reaches this',
  },
  {
    key: 'tierB',
    param: 'tierB',
    flag: 'tier-b',
    kind: 'share',
    min: 0.05,
    max: 1,
    panels: ['pareto'],
    help: 'tier B ends where the cumulative share of value reaches this (above tier A)',
  },
  {
    key: 'cohortPeriod',
    param: 'cohort',
    flag: 'cohort-period',
    kind: 'choice',
    values: ['week', 'month', 'quarter'],
    panels: ['retention'],
    help: 'cohort period',
  },
  {
    key: 'cohortClock',
    param: 'clock',
    flag: 'cohort-clock',
    kind: 'choice',
    values: ['calendar', 'rolling'],
    panels: ['retention'],
    help: 'calendar periods, or rolling windows of 7/30/91 days since each customer\'s first purchase',
  },
  {
    key: 'completeThrough',
    param: 'thru',
    flag: 'complete-through',
    kind: 'int',
    min: 1,
    max: 520,
    nullable: true,
    panels: ['retention'],
    help: 'average curve over the cohorts complete through period K only; auto = every complete cell',
  },
  {
    key: 'firstCohort',
    param: 'first',
    flag: 'first-cohort',
    kind: 'choice',
    values: ['auto', 'new', 'existing'],
    panels: ['overview', 'retention'],
    help: 'the first cohort: new customers, or customers from before the data starts (left out of cohort averages); auto = existing when it is more than twice the median of the next three',
  },
  {
    key: 'retentionMode',
    param: 'rmode',
    flag: 'retention-mode',
    kind: 'choice',
    values: ['on', 'on_or_after'],
    panels: ['retention'],
    help: 'retention "on" period k, or "on or after" it',
  },
  {
    key: 'retentionMeasure',
    param: 'rmeasure',
    flag: 'retention-measure',
    kind: 'choice',
    values: ['customers', 'revenue'],
    panels: ['retention'],
    help: 'retention of customers, or of revenue',
  },
  {
    key: 'scoreScale',
    param: 'scale',
    flag: 'score-scale',
    kind: 'choice',
    values: ['1-5', '1-7', '0-10', '1-10'],
    nullable: true,
    panels: ['satisfaction'],
    help: 'satisfaction score scale; auto = detected from the scores',
  },
  {
    key: 'highSatisfaction',
    param: 'high',
    flag: 'high-satisfaction',
    kind: 'number',
    min: 0,
    max: 10,
    nullable: true,
    panels: ['satisfaction'],
    help: 'lowest score counted as high satisfaction; auto = the scale\'s default',
  },
  {
    key: 'loyalMinOrders',
    param: 'loyal',
    flag: 'loyal-min-orders',
    kind: 'int',
    min: 2,
    max: 100,
    panels: ['satisfaction'],
    help: 'a customer with at least this many orders counts as loyal',
  },
  {
    key: 'minGroupSize',
    param: 'mingroup',
    flag: 'min-group-size',
    kind: 'int',
    min: 1,
    max: 100000,
    panels: ['repurchase', 'retention', 'satisfaction'],
    help: 'groups with fewer customers than this are marked small, sorted last and never quoted in a headline',
  },
  {
    key: 'rfm8Basis',
    param: 'rfm8',
    flag: 'rfm8-basis',
    kind: 'choice',
    values: ['mean', 'median'],
    panels: ['segments', 'composition'],
    help: 'high/low cut of the eight RFM classes: the customers\' mean or median',
  },
  {
    key: 'overdueFactor',
    param: 'k',
    flag: 'overdue-factor',
    kind: 'number',
    min: 1,
    max: 10,
    panels: ['lifecycle', 'composition', 'warnings'],
    help: 'k: a customer is in decline when their days since the last purchase exceed k × their own rhythm',
  },
  {
    key: 'stableDays',
    param: 'stable',
    flag: 'stable-days',
    kind: 'int',
    min: 2,
    max: 50,
    panels: ['lifecycle', 'composition', 'warnings'],
    help: 'S: purchase days from which a customer is in the stable stage',
  },
  {
    key: 'periodDays',
    param: 'period',
    flag: 'period-days',
    kind: 'int',
    min: 7,
    max: 365,
    panels: ['lifecycle', 'warnings'],
    help: 'P: the look-back period in days of the stage migration, new customers and the pace warning',
  },
  {
    key: 'paceThreshold',
    param: 'pace',
    flag: 'pace-threshold',
    kind: 'share',
    min: 0.05,
    max: 1,
    panels: ['warnings'],
    help: 't: a customer is flagged when this period\'s purchases fall below t × their baseline',
  },
  {
    key: 'calibrationEnd',
    param: 'cal',
    flag: 'calibration-end',
    kind: 'date',
    panels: ['clv'],
    help: 'lifetime value: fit on purchases up to this date YYYY-MM-DD, the days after it up to the as-of date are the holdout; auto = the as-of date',
  },
  {
    key: 'clvUnit',
    param: 'unit',
    flag: 'clv-unit',
    kind: 'choice',
    values: ['day', 'week', 'month'],
    panels: ['clv'],
    help: 'lifetime value: the models\' time unit (a month is 30.4375 days)',
  },
  {
    key: 'horizon',
    param: 'horizon',
    flag: 'horizon',
    kind: 'number',
    min: 1,
    max: 3650,
    nullable: true,
    panels: ['clv'],
    help: 'lifetime value: prediction horizon in units of --clv-unit; auto = 52 weeks (364 days) in that unit',
  },
  {
    key: 'discount',
    param: 'disc',
    flag: 'discount',
    kind: 'share',
    min: 0,
    max: 0.2,
    panels: ['clv'],
    help: 'lifetime value: monthly discount rate, 0.01 or 1%',
  },
  {
    key: 'currencyLabel',
    param: 'ccy',
    flag: 'currency-label',
    kind: 'choice',
    values: CURRENCY_LABELS,
    panels: [],
    help: 'the currency amounts are shown in (a name only, nothing is converted); auto = the one the file names, else none; a code wins over the file\'s',
  },
];

/** The table's entry for a key (every key of `SettingKey` has one: a unit test holds it). */
export function settingDef(key: SettingKey): SettingDef {
  const def = SETTINGS_TABLE.find((d) => d.key === key);
  if (def === undefined) throw new Error(`no setting ${key}`);
  return def;
}

/** A real calendar day written as YYYY-MM-DD. */
export function isIsoDate(v: string | null | undefined): v is string {
  if (v === null || v === undefined) return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function numberIn(text: string, min: number, max: number, integer: boolean): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) return undefined;
  if (integer && !Number.isInteger(n)) return undefined;
  return n;
}

export type SettingValue = Settings[SettingKey];

/**
 * The value a text stands for (as written in a link), or undefined when it is not one the
 * setting takes. Cross-setting rules (tier B above tier A) are `reconcile`'s.
 */
export function parseSetting(def: SettingDef, text: string): SettingValue | undefined {
  switch (def.kind) {
    case 'int':
      return numberIn(text, def.min, def.max, true);
    case 'number':
    case 'share':
      return numberIn(text, def.min, def.max, false);
    case 'choice':
      return def.values.includes(text) ? text : undefined;
    case 'date':
      return isIsoDate(text) ? text : undefined;
  }
}

/** The text a link holds for a value; null for an automatic (null) value, which links leave out. */
export function formatSetting(value: SettingValue): string | null {
  return value === null ? null : String(value);
}

/**
 * Rules between settings, applied after each one was read on its own: tier B must lie
 * above tier A (else it falls back to the larger of its default and tier A). Returns the
 * keys whose value was replaced.
 */
export function reconcile(settings: Settings): { settings: Settings; replaced: SettingKey[] } {
  if (settings.tierB > settings.tierA) return { settings, replaced: [] };
  return { settings: { ...settings, tierB: Math.max(DEFAULT_SETTINGS.tierB, settings.tierA) }, replaced: ['tierB'] };
}

/** Typed field update: `withSetting(s, 'churnWindowDays', 30)`. */
export function withSetting<K extends SettingKey>(settings: Settings, key: K, value: Settings[K]): Settings {
  return { ...settings, [key]: value };
}

/** The bounds a setting's field offers, in the units it shows (a share as a percentage). */
export function fieldBounds(key: SettingKey): { readonly min: number; readonly max: number } {
  const def = settingDef(key);
  if (def.kind === 'share') return { min: Math.round(def.min * 1000) / 10, max: Math.round(def.max * 1000) / 10 };
  if (def.kind === 'int' || def.kind === 'number') return { min: def.min, max: def.max };
  throw new Error(`${key} has no numeric bounds`);
}
