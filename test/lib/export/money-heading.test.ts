/** Exported money columns name the currency in their heading; other columns are left alone. */
import { describe, expect, it } from 'vitest';
import { CUSTOMER_LIST_COLUMNS } from '../../../src/lib/analyses/customer-list.ts';
import { CLV_CUSTOMER_COLUMNS } from '../../../src/lib/analyses/clv.ts';
import { FOLLOW_UP_COLUMNS } from '../../../src/lib/analyses/follow-up.ts';
import { MONEY_COLUMNS, columnHeading, moneyHeading } from '../../../src/lib/export/money-heading.ts';

describe('money headings', () => {
  it('adds the currency in each language, and nothing when none is known', () => {
    expect(moneyHeading('en', 'Value', 'USD')).toBe('Value (USD)');
    expect(moneyHeading('zh-CN', '消费额', 'CNY')).toBe('消费额（CNY）');
    expect(moneyHeading('en', 'Value', null)).toBe('Value');
    expect(columnHeading('en', 'value', 'Value', 'EUR')).toBe('Value (EUR)');
    expect(columnHeading('en', 'n_orders', 'Purchase orders', 'EUR')).toBe('Purchase orders');
  });

  it('knows the money columns of every exported customer list', () => {
    const all = [...CUSTOMER_LIST_COLUMNS, ...FOLLOW_UP_COLUMNS, ...CLV_CUSTOMER_COLUMNS];
    expect(all.filter((c) => MONEY_COLUMNS.has(c)).sort()).toEqual(['baseline', 'clv', 'current', 'drop', 'expected_spend', 'value', 'value', 'value_365']);
    // Counts, days, dates, shares and probabilities are not money.
    for (const c of ['rank', 'n_orders', 'recency_days', 'first_date', 'p_alive', 'expected_purchases', 'margin', 'p', 'g']) expect(MONEY_COLUMNS.has(c), c).toBe(false);
  });
});
