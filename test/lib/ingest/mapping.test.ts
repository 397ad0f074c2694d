import { describe, expect, it } from 'vitest';
import {
  autoMap,
  headerKey,
  isContactLikeLabel,
  isDescriptiveLabel,
  isUnusualLabel,
  labelCounts,
  MapArgError,
  matchField,
  missingFields,
  parseMapArg,
  scoreHeader,
} from '../../../src/lib/ingest/mapping.ts';

describe('matchField', () => {
  it.each([
    ['客户ID', 'customer'],
    [' 客户ID ', 'customer'],
    ['客戶ID', 'customer'],
    ['ＣｕｓｔｏｍｅｒＩＤ', 'customer'],
    ['customer_unique_id', 'customer'],
    ['Customer Id', 'customer'],
    ['会员号', 'customer'],
    ['Kunden-ID', 'customer'],
    ['InvoiceNo', 'order'],
    ['订单号', 'order'],
    ['InvoiceDate', 'date'],
    ['order_purchase_timestamp', 'date'],
    ['訂單日期', 'date'],
    ['Bestelldatum', 'date'],
    ['实付金额', 'amount'],
    ['金額', 'amount'],
    ['dollar_value', 'amount'],
    ['payment_value', 'amount'],
    ['Betrag', 'amount'],
    ['number_of_cds', 'quantity'],
    ['Quantity', 'quantity'],
    ['UnitPrice', 'unit_price'],
    ['price', 'unit_price'],
    ['StockCode', 'product'],
    ['商品名称', 'product'],
    ['product_category_name', 'category'],
    ['customer_state', 'region'],
    ['Country', 'region'],
    ['渠道', 'channel'],
    ['成本', 'cost'],
    ['毛利', 'profit'],
    ['review_score', 'score'],
    ['满意度', 'score'],
  ])('%s → %s', (label, field) => {
    expect(matchField(label)).toBe(field);
  });

  it.each(['客户名称', '单价 (元)', 'foo', '', '备注";DROP TABLE sales;--', 'order_status'])('%s → null', (label) => {
    expect(matchField(label)).toBeNull();
  });
});

describe('scoreHeader', () => {
  it('counts cells naming a field', () => {
    expect(scoreHeader(['客户ID', '客户名称', '订单日期', '商品名称', '金额'])).toBe(4);
    expect(scoreHeader(['2023年1月销售明细表', '', '', ''])).toBe(0);
    expect(scoreHeader(['C001', '2023-01-05', '100.00'])).toBe(0);
  });
});

describe('autoMap', () => {
  it('maps the CDNOW header', () => {
    const r = autoMap(['customer_id', 'date', 'number_of_cds', 'dollar_value'], [['00001', '19970101', '1', '11.77']]);
    expect(r.mapping).toEqual({ customer: 0, date: 1, quantity: 2, amount: 3 });
    expect(r.ambiguous).toEqual([]);
    expect(r.missing).toEqual([]);
  });

  it('maps online retail to quantity × unit price, with the product named by its description rather than its stock code', () => {
    const labels = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];
    const r = autoMap(labels, [['536365', '85123A', 'WHITE HANGING HEART', '6', '2010-12-01 08:26:00', '2.55', '17850.0', 'United Kingdom']]);
    expect(r.mapping).toEqual({ order: 0, product: 2, quantity: 3, date: 4, unit_price: 5, customer: 6, region: 7 });
    expect(r.missing).toEqual([]);
  });

  it('prefers customer_unique_id over customer_id', () => {
    const r = autoMap(['customer_id', 'customer_unique_id', 'customer_state', 'date', 'amount'], []);
    expect(r.mapping.customer).toBe(1);
    expect(r.mapping.region).toBe(2);
  });

  it('drops unit_price when an amount column exists', () => {
    const r = autoMap(['客户ID', '订单日期', '金额', '单价'], []);
    expect(r.mapping).toEqual({ customer: 0, date: 1, amount: 2 });
  });

  it('reports two equal amount columns as ambiguous', () => {
    const r = autoMap(['客户ID', '订单日期', '金额', '金额'], [['C001', '2023-01-05', '100.00', '90.00']]);
    expect(r.ambiguous).toEqual([{ field: 'amount', columns: [2, 3] }]);
    expect(r.mapping.amount).toBeUndefined();
    expect(r.missing).toEqual([]);
  });

  it('lets the paid amount win over the plain amount', () => {
    const r = autoMap(['客户ID', '订单日期', '金额', '实付金额'], []);
    expect(r.mapping.amount).toBe(3);
    expect(r.ambiguous).toEqual([]);
  });

  it('breaks a date tie by sample values', () => {
    const r = autoMap(['客户ID', '日期', '日期', '金额'], [
      ['C1', '张三', '2023-01-05', '1'],
      ['C2', '李四', '2023-01-06', '2'],
    ]);
    expect(r.mapping.date).toBe(2);
    expect(r.ambiguous).toEqual([]);
  });

  it('lists missing required fields', () => {
    expect(autoMap(['foo', 'bar', 'baz'], [['1', '2', '3']]).missing).toEqual(['customer', 'date', 'amount']);
    expect(autoMap(['客户ID', '日期', '数量'], []).missing).toEqual(['amount']);
  });

  it('maps a wholesale ERP export by its names: 开单日期, 销售金额, 成本金额; 客户名称 → name, 联系电话 → phone', () => {
    const labels = ['单据编号', '客户编码', '客户名称', '联系电话', '开单日期', '销售金额', '成本金额', '区域'];
    const r = autoMap(labels, [['XS-001', 'K001', '华东贸易', '13800000001', '2024-03-01', '1,200.00', '900.00', '华东']]);
    expect(r.mapping).toEqual({ order: 0, customer: 1, name: 2, phone: 3, date: 4, amount: 5, cost: 6, region: 7 });
    expect([r.missing, r.ambiguous, r.proposed]).toEqual([[], [], undefined]);
    expect(labelCounts(labels, labels, r.mapping).unused).toBe(0);
    for (const [label, field] of [['单据日期', 'date'], ['业务日期', 'date'], ['Document Date', 'date'], ['销售成本', 'cost'], ['Cost of sales', 'cost'], ['价税合计', 'amount']] as const) {
      expect(matchField(label), label).toBe(field);
    }
  });

  it('maps contact columns only among the columns the other fields leave', () => {
    // 手机号 is a loose customer id: the customer when nothing better names one, the phone otherwise.
    expect(autoMap(['手机号', '订单日期', '实付金额'], []).mapping).toEqual({ customer: 0, date: 1, amount: 2 });
    expect(autoMap(['会员号', '手机号', '订单日期', '实付金额', '联系人'], []).mapping).toEqual({ customer: 0, phone: 1, date: 2, amount: 3, contact: 4 });
    expect(autoMap(['Customer ID', 'Customer Name', 'Phone', 'Contact Person', 'Order Date', 'Amount'], []).mapping).toEqual({
      customer: 0, name: 1, phone: 2, contact: 3, date: 4, amount: 5,
    });
    // Two phone columns: the higher priority wins (联系电话 3 over 手机 2), the other stays unused.
    expect(autoMap(['客户ID', '手机', '联系电话', '日期', '金额'], []).mapping).toMatchObject({ phone: 2 });
    expect(['地址', '收货地址', 'E-mail', '姓名', '手机'].every(isContactLikeLabel)).toBe(true);
    expect(['备注', '区域', ''].some(isContactLikeLabel)).toBe(false);
  });

  it('proposes the one unnamed column whose values all read as dates (or money), and asks when several do', () => {
    const one = autoMap(['客户ID', '记录', '实付金额'], [['A1', '2024-01-05', '10.00'], ['A2', '2024/01/06', '20.50'], ['A1', '2024年2月7日', '5']]);
    expect([one.mapping.date, one.proposed, one.missing]).toEqual([1, [{ field: 'date', column: 1 }], []]);
    const money = autoMap(['客户ID', '日期', '数值'], [['A1', '2024-01-05', '¥10.00'], ['A2', '2024-01-06', '1,020.50']]);
    expect([money.mapping.amount, money.proposed]).toEqual([2, [{ field: 'amount', column: 2 }]]);
    // Plain digits are not proposed: 20240105 or 45000 could as well be an id or an amount.
    expect(autoMap(['客户ID', '记录', '实付金额'], [['A1', '20240105', '10.00']]).missing).toEqual(['date']);
    const two = autoMap(['客户ID', '开始', '结束', '实付金额'], [['A1', '2024-01-05', '2024-02-01', '10']]);
    expect([two.mapping.date, two.ambiguous, two.missing]).toEqual([undefined, [{ field: 'date', columns: [1, 2] }], []]);
  });
});

describe('missingFields', () => {
  it('accepts quantity × unit price', () => {
    expect(missingFields({ customer: 0, date: 1, quantity: 2, unit_price: 3 })).toEqual([]);
    expect(missingFields({ customer: 0, quantity: 2 })).toEqual(['date', 'amount']);
  });
});

describe('headerKey', () => {
  it('is stable under case/space changes and differs by column', () => {
    expect(headerKey(['客户ID', 'Order Date'])).toBe(headerKey([' 客户id', 'order_date']));
    expect(headerKey(['客户ID', 'Order Date'])).not.toBe(headerKey(['Order Date', '客户ID']));
    expect(headerKey(['a', 'b'])).toMatch(/^2:[0-9a-f]{8}$/);
  });
});

describe('parseMapArg', () => {
  const labels = ['客户ID', '订单日期', '金额', '金额 ', 'Paid Amount'];
  it('resolves a label', () => {
    expect(parseMapArg('customer=客户ID', labels)).toEqual({ field: 'customer', column: 0 });
    expect(parseMapArg('amount=paid_amount', labels)).toEqual({ field: 'amount', column: 4 });
    expect(parseMapArg('amount=#3', labels)).toEqual({ field: 'amount', column: 2 });
    expect(parseMapArg('amount=金额', labels)).toEqual({ field: 'amount', column: 2 });
  });
  it('names what is wrong', () => {
    expect(() => parseMapArg('amount', labels)).toThrow(new MapArgError('BAD_SYNTAX', 'amount'));
    expect(() => parseMapArg('price=金额', labels)).toThrow(new MapArgError('UNKNOWN_FIELD', 'price'));
    expect(() => parseMapArg('amount=总额', labels)).toThrow(new MapArgError('UNKNOWN_COLUMN', '总额'));
    expect(() => parseMapArg('amount=#9', labels)).toThrow(new MapArgError('UNKNOWN_COLUMN', '#9'));
  });
});

describe('column-name warnings', () => {
  it('flags labels that need quoting care', () => {
    const header = ['客户ID', '订单日期', '金额', '备注";DROP TABLE sales;--', "x'); DROP TABLE orders; --", 'a""b', '单价 (元)', '1st col', 'select'];
    expect(header.map(isUnusualLabel)).toEqual([false, false, false, true, true, true, true, true, true]);
    expect(['Order Date', 'customer id', '客户 编号'].some(isUnusualLabel)).toBe(false);
  });

  it('does not count descriptive columns as unused', () => {
    expect(['客户名称', '類型', 'Name', ' 备注 '].every(isDescriptiveLabel)).toBe(true);
    expect(isDescriptiveLabel('备注";DROP TABLE sales;--')).toBe(false);
  });

  it('counts unused, unusual, duplicate and empty names', () => {
    const labels = ['客户ID', '订单日期', '金额', '客户名称', 'foo', 'foo', ''];
    expect(labelCounts([...labels, '', ''], labels, { customer: 0, date: 1, amount: 2 })).toEqual({
      unused: 2,
      unusual: 0,
      duplicate: 1,
      empty: 3,
    });
  });
});
