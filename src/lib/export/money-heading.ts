/**
 * Exported amounts are plain numbers (a spreadsheet must be able to add them), so the
 * currency they are in goes into the column's heading: "Value (USD)" / "消费额（USD）".
 */
import type { Locale } from '../i18n/index.ts';

/**
 * Columns of the exported customer lists that hold money, by the name the queries give them
 * (customer-list.ts, follow-up.ts, the key-customer list, the lifetime-value columns).
 */
export const MONEY_COLUMNS: ReadonlySet<string> = new Set(['value', 'value_365', 'current', 'baseline', 'drop', 'profit', 'expected_spend', 'clv']);

/** A money column's heading with the currency, when one is known. */
export function moneyHeading(locale: Locale, heading: string, currency: string | null | undefined): string {
  if (!currency) return heading;
  return locale === 'zh-CN' ? `${heading}（${currency}）` : `${heading} (${currency})`;
}

/** The heading of an exported column: with the currency when the column holds money. */
export function columnHeading(locale: Locale, column: string, heading: string, currency: string | null | undefined): string {
  return MONEY_COLUMNS.has(column) ? moneyHeading(locale, heading, currency) : heading;
}
