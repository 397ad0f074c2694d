import { describe, expect, it } from 'vitest';
import { en } from '../../../src/lib/i18n/en.ts';
import { zhCN } from '../../../src/lib/i18n/zh-CN.ts';
import { placeholders } from '../../../src/lib/i18n/index.ts';
import { METRIC_IDS } from '../../../src/lib/model/metrics.ts';
import { MAPPING_FIELDS } from '../../../src/lib/model/schema.ts';

const keys = (o: object) => Object.keys(o).sort();
// Every code of the ingest contract (src/lib/ingest/types.ts) must have a text.
const FILE_ERRORS = [
  'EMPTY_FILE', 'NO_DATA_ROWS', 'NOT_TEXT', 'EXCEL_WORKBOOK', 'COMPRESSED_FILE', 'UNKNOWN_ENCODING',
  'MISSING_REQUIRED_COLUMNS', 'AMBIGUOUS_COLUMN_MAPPING', 'AMBIGUOUS_DATE_ORDER', 'TOO_LARGE', 'TOO_MANY_LINES',
  'UNREADABLE_WORKBOOK', 'UNREADABLE_PARQUET', 'SHAPE_MISMATCH', 'ACCOUNTING_MISMATCH',
];
const REJECTS = [
  'missing_customer_id', 'missing_date', 'unparseable_date', 'missing_amount', 'unparseable_amount',
  'too_few_fields', 'too_many_fields', 'unclosed_quote', 'invalid_encoding', 'line_too_long',
  'missing_score', 'unparseable_score',
];
const SKIPS = ['blank_row', 'title_row', 'summary_row', 'footer_row', 'duplicate_row'];
const WARNINGS = [
  'bom_stripped', 'encoding_not_utf8', 'exact_duplicate_rows', 'multiple_currencies', 'refund_rows',
  'mixed_date_formats', 'excel_serial_dates', 'epoch_dates', 'ambiguous_day_month_order', 'decimal_comma',
  'id_scientific_notation', 'ids_whitespace_trimmed', 'unused_columns', 'unusual_column_names',
  'duplicate_column_names', 'empty_column_names', 'nul_bytes_removed', 'placeholder_ids', 'encoding_guessed',
];

describe('catalogues', () => {
  it('have exactly the same keys', () => {
    expect(keys(zhCN)).toEqual(keys(en));
  });

  it('use the same placeholders for every key', () => {
    const enMap: Record<string, string> = en;
    for (const [key, text] of Object.entries(zhCN)) {
      expect({ key, p: placeholders(text) }).toEqual({ key, p: placeholders(enMap[key] ?? '') });
    }
  });

  it('have no empty label or message (numerator/denominator may be empty, in both at once)', () => {
    const enMap: Record<string, string> = en;
    for (const [key, text] of Object.entries(zhCN)) {
      const optional = /\.(num|den)$/.test(key);
      if (!optional) expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
      else expect({ key, bothEmpty: text === '' }).toEqual({ key, bothEmpty: enMap[key] === '' });
    }
  });

  it('cover every ingest code, mapping field and metric', () => {
    const required = [
      ...FILE_ERRORS.flatMap((c) => [`error.${c}`, `error.${c}.next`]),
      ...REJECTS.map((r) => `reject.${r}`),
      ...SKIPS.map((s) => `skip.${s}`),
      ...WARNINGS.map((w) => `warning.${w}`),
      ...MAPPING_FIELDS.map((f) => `field.${f}`),
      ...METRIC_IDS.flatMap((m) => [`metric.${m}.label`, `metric.${m}.def`, `metric.${m}.num`, `metric.${m}.den`]),
    ];
    const missing = required.filter((k) => !Object.hasOwn(en, k));
    expect(missing).toEqual([]);
  });

  it('state numerator and denominator for every ratio metric', () => {
    const ratios = ['aov', 'orders_per_customer', 'repurchase_rate', 'repeat_order_share', 'top20_share',
      'tier_a_customer_share', 'retention_m1', 'retention_m3', 'retention_m6', 'retention_m12', 'satisfaction_mean', 'nps'];
    const enMap: Record<string, string> = en;
    for (const id of ratios) {
      expect(enMap[`metric.${id}.num`]).not.toBe('');
      expect(enMap[`metric.${id}.den`]).not.toBe('');
    }
  });
});

describe('merged catalogues (page + dashboard)', () => {
  it('have the same keys in both languages and no key defined twice', async () => {
    const { CATALOGUES } = await import('../../../src/lib/i18n/index.ts');
    const { dashboardMessages } = await import('../../../src/lib/i18n/dashboard.ts');
    expect(keys(CATALOGUES['zh-CN'])).toEqual(keys(CATALOGUES.en));
    const clash = Object.keys(dashboardMessages.en).filter((k) => Object.hasOwn(en, k));
    expect(clash).toEqual([]);
  });
});

describe('plain words in the panels', () => {
  it('explain Kaplan–Meier (censoring) in one plain sentence wherever a panel names it, in both languages', async () => {
    const { dashboardMessages } = await import('../../../src/lib/i18n/dashboard.ts');
    const plain = { en: 'history is too short to tell', 'zh-CN': '历史太短' } as const;
    for (const locale of ['en', 'zh-CN'] as const) {
      const named = Object.entries(dashboardMessages[locale]).filter(([k, text]) => /^dash\.(repurchase|retention|headline)\./.test(k) && text.includes('Kaplan'));
      expect(named.length).toBeGreaterThan(0);
      expect(named.filter(([, text]) => !text.includes(plain[locale])).map(([k]) => k)).toEqual([]);
    }
    expect(dashboardMessages.en['dash.col.censored']).not.toMatch(/censor/i);
  });
});
