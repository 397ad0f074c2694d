/**
 * Column labels → canonical fields (zh/en synonyms), and the automatic mapping of a file.
 *
 * Labels are compared after `normalizeLabel`: NFKC (full-width → ASCII), lower case, and
 * spaces, underscores, hyphens and dots removed. Each synonym has a priority; when several
 * columns match a required field, the highest priority wins, and a tie at the top is
 * ambiguous (the user must choose). Priority 3 names a specific column (实付金额 = the paid
 * amount, customer_unique_id = the person), 2 the usual name, 1 a loose one (total, 手机号).
 */
import { CONTACT_FIELDS, MAPPING_FIELDS, type ContactField, type MappingField } from '../model/schema.ts';
import type { ColumnMapping } from './types.ts';

type Synonyms = Readonly<Record<string, number>>;

type CoreField = Exclude<MappingField, ContactField>;
const CORE_FIELDS = MAPPING_FIELDS.filter((f): f is CoreField => !(CONTACT_FIELDS as readonly string[]).includes(f));

const SYNONYMS: Readonly<Record<CoreField, Synonyms>> = {
  customer: {
    客户id: 2, 客户编号: 2, 客户号: 2, 客户代码: 2, 客户编码: 2, 会员号: 2, 会员id: 2, 会员编号: 2,
    会员卡号: 2, 用户id: 2, 买家id: 2, 买家会员名: 2, 顾客id: 2, 顾客编号: 2, 客戶id: 2, 客戶編號: 2,
    會員編號: 2, 手机号: 1, 手机号码: 1, 顾客: 1, 客户: 1, 会员: 1, 用户: 1, 买家: 1,
    customerid: 2, customerno: 2, customernumber: 2, customercode: 2, customeruniqueid: 3,
    clientid: 2, memberid: 2, userid: 2, buyerid: 2, kundenid: 2, kundennummer: 2,
    customer: 1, client: 1, member: 1, buyer: 1, phone: 1, mobile: 1,
  },
  order: {
    订单号: 2, 订单编号: 2, 订单id: 2, 单号: 1, 单据编号: 1, 訂單號: 2, 訂單編號: 2,
    orderid: 2, orderno: 2, ordernumber: 2, invoiceno: 2, invoiceid: 2, invoice: 1,
    invoicenumber: 2, transactionid: 1, bestellnummer: 2,
  },
  date: {
    下单时间: 3, 下单日期: 3, 订单日期: 3, 订单时间: 3, 订单创建时间: 3, 购买日期: 3, 购买时间: 3,
    訂單日期: 3, 日期: 2, 交易时间: 2, 交易日期: 2, 付款时间: 2, 付款日期: 2, 支付时间: 2, 成交时间: 2,
    单据日期: 3, 开单日期: 3, 业务日期: 3, 销售日期: 3, 出库日期: 2, 发货日期: 2, 开票日期: 2, 制单日期: 2,
    记账日期: 2, 过账日期: 2, 成交日期: 2, 單據日期: 3, 開單日期: 3, 銷售日期: 3,
    orderdate: 3, orderpurchasetimestamp: 3, purchasedate: 3, invoicedate: 3, transactiondate: 2,
    documentdate: 3, billingdate: 3, salesdate: 3, saledate: 3, businessdate: 2, postingdate: 2,
    shipdate: 1, deliverydate: 1,
    date: 2, orderdatetime: 3, ordertime: 3, bestelldatum: 3, datum: 2, timestamp: 1, time: 1,
  },
  amount: {
    实付金额: 3, 实收金额: 3, 成交金额: 3, 买家实际支付金额: 3, 付款金额: 3, 支付金额: 3, 实付款: 3,
    金额: 2, 订单金额: 2, 销售额: 2, 销售金额: 2, 金額: 2, 銷售額: 2, 总金额: 2, 总价: 1, 合计金额: 1,
    价税合计: 2, 含税金额: 2, 应收金额: 2, 结算金额: 2, 销售收入: 2, 銷售金額: 2,
    netamount: 2, invoiceamount: 2, linetotal: 2, extendedprice: 2, grossamount: 1,
    amount: 2, paymentvalue: 3, amountpaid: 3, paidamount: 3, dollarvalue: 2, lineamount: 2,
    orderamount: 2, salesamount: 2, totalamount: 2, betrag: 2, umsatz: 2,
    sales: 1, revenue: 1, total: 1, value: 1,
  },
  quantity: {
    数量: 2, 件数: 2, 购买数量: 2, 數量: 2, 商品数量: 2,
    quantity: 2, qty: 2, numberofcds: 2, cds: 1, units: 1, menge: 2,
  },
  unit_price: {
    单价: 2, 單價: 2, 商品单价: 2, 销售单价: 2,
    unitprice: 2, price: 1, itemprice: 2, preis: 1,
  },
  product: {
    商品: 2, 产品: 2, 商品名称: 3, 产品名称: 3, 商品名: 2, 宝贝标题: 2, 商品编码: 1, 货号: 1, 商品名稱: 3,
    sku: 1, stockcode: 1, description: 2, productid: 1, product: 2, productname: 3, itemname: 2, item: 1,
    artikel: 2,
  },
  category: {
    品类: 2, 类别: 2, 分类: 2, 商品类别: 2, 商品分类: 2, 类目: 2, 類別: 2,
    category: 2, productcategoryname: 2, productcategory: 2, kategorie: 2,
  },
  region: {
    地区: 2, 省份: 2, 城市: 2, 区域: 2, 省: 1, 市: 1, 地區: 2,
    region: 2, country: 2, state: 2, city: 1, customerstate: 2, customercity: 1, province: 2,
  },
  channel: {
    渠道: 2, 来源: 1, 平台: 2, 销售渠道: 2, 店铺: 1, 通路: 2,
    channel: 2, source: 1, platform: 2, saleschannel: 2,
  },
  cost: {
    成本: 2, 成本价: 2, 進價: 2, 进价: 2, 成本金额: 3, 销售成本: 3, 成本額: 3, 成本金額: 3, 进货价: 2, 进货金额: 2,
    采购价: 1, 成本单价: 1,
    cost: 2, unitcost: 1, cogs: 2, costamount: 3, costofsales: 3, costofgoodssold: 3, costprice: 2, totalcost: 2,
    purchaseprice: 1,
  },
  profit: { 毛利: 2, 利润: 2, 毛利润: 2, 利潤: 2, profit: 2, margin: 1, grossprofit: 2 },
  score: {
    满意度: 2, 评分: 2, 评价: 1, 打分: 2, 满意度评分: 2, 评分值: 2, 評分: 2, nps: 2,
    推荐度: 2, 推荐意愿: 2, 推荐可能性: 2, 推荐: 1, 净推荐值: 2,
    score: 2, rating: 2, reviewscore: 2, satisfaction: 2, csat: 2,
    npsscore: 2, likelihoodtorecommend: 2, recommend: 1,
  },
};

/**
 * Contact fields, matched only among the columns no other field took: a file with 客户编码
 * and 手机号 maps the code as the customer and the mobile number as the phone, one with
 * only 手机号 keeps it as the customer (the loose customer synonyms above).
 */
const CONTACT_SYNONYMS: Readonly<Record<ContactField, Synonyms>> = {
  name: {
    客户名称: 3, 客户姓名: 3, 客戶名稱: 3, 客戶姓名: 3, 客户名: 2, 姓名: 2, 会员名称: 2, 会员姓名: 2, 顾客姓名: 2,
    买家姓名: 2, 单位名称: 2, 往来单位: 2, 往来单位名称: 2, 购货单位: 2, 客户单位: 2, 公司名称: 1, 名称: 1,
    customername: 3, clientname: 3, buyername: 2, membername: 2, fullname: 2, companyname: 1, name: 1,
  },
  phone: {
    联系电话: 3, 聯絡電話: 3, 联系方式: 2, 手机: 2, 手機: 2, 手机号: 2, 手机号码: 2, 手機號碼: 2, 电话: 2, 電話: 2,
    电话号码: 2, 移动电话: 2, 客户电话: 3, 会员手机: 2, 固定电话: 1, 座机: 1,
    phone: 2, phonenumber: 3, telephone: 2, tel: 1, mobile: 2, mobilephone: 2, cellphone: 2, contactphone: 3,
    contactnumber: 2,
  },
  contact: {
    联系人: 3, 聯絡人: 3, 联系人姓名: 3, 对接人: 2, 收货人: 1,
    contact: 2, contactperson: 3, contactname: 3, attn: 1,
  },
};

/** Words of other contact-like columns (addresses, mail, messaging ids). */
const CONTACT_LIKE = ['地址', 'address', '邮箱', 'email', 'mail', '微信', 'wechat', 'qq', '邮编', 'zip', 'postcode'];

/**
 * A column that holds how to reach the customer (a contact field's synonym, an address, a
 * mail or messaging id): the follow-up sheet offers such unused columns ticked.
 */
export function isContactLikeLabel(label: string): boolean {
  const key = normalizeLabel(label);
  if (key === '') return false;
  return CONTACT_FIELDS.some((f) => CONTACT_SYNONYMS[f][key] !== undefined) || CONTACT_LIKE.some((w) => key.includes(w));
}

/**
 * Labels of columns that are understood but have no field (a customer's name, a row type,
 * a note, a row number): not reported as unused, since there is nothing to map them to.
 */
const DESCRIPTIVE = new Set([
  '客户名称', '客户姓名', '客户名', '姓名', '名称', '会员名称', '会员姓名', '顾客姓名', '联系人', '收货人',
  '客戶名稱', '客戶姓名', 'name', 'customername', 'clientname', 'fullname', 'firstname', 'lastname',
  '联系电话', '电话', '联系方式', '聯絡電話', '地址', '收货地址', 'telephone', 'tel', 'phonenumber', 'address',
  '类型', '類型', '单据类型', 'type', 'kind', '备注', '備註', 'note', 'notes', 'remark', 'remarks',
  'comment', 'comments', '序号', '行号', '序號', 'no', 'rowno', 'index', 'id',
]);

export function isDescriptiveLabel(label: string): boolean {
  return DESCRIPTIVE.has(normalizeLabel(label));
}

/**
 * A score column named as a Net Promoter question (NPS, 推荐…, likelihood to recommend):
 * its answers are on the 0–10 scale whatever values the file happens to hold (METRICS.md §6).
 */
export function isNpsLabel(label: string): boolean {
  const key = normalizeLabel(label);
  return key.includes('nps') || key.includes('推荐') || key.includes('recommend') || key.includes('推薦');
}

/** Fields a file must provide: customer, date, and amount or quantity × unit_price. */
export const REQUIRED_FIELDS: readonly MappingField[] = ['customer', 'date'];

export function normalizeLabel(label: string): string {
  return label
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.·:：]+/gu, '');
}

interface Match {
  readonly field: MappingField;
  readonly priority: number;
}

function bestMatch(label: string): Match | null {
  const key = normalizeLabel(label);
  if (key === '') return null;
  let best: Match | null = null;
  for (const field of CORE_FIELDS) {
    const priority = SYNONYMS[field][key];
    if (priority !== undefined && (best === null || priority > best.priority)) best = { field, priority };
  }
  return best;
}

/** The canonical field a column label stands for, or null. */
export function matchField(label: string): MappingField | null {
  return bestMatch(label)?.field ?? null;
}

/** How many cells of a candidate header row name a known field (for header detection). */
export function scoreHeader(cells: readonly string[]): number {
  return cells.reduce((n, c) => (bestMatch(c) ? n + 1 : n), 0);
}

function contactMatch(label: string): Match | null {
  const key = normalizeLabel(label);
  let best: Match | null = null;
  for (const field of CONTACT_FIELDS) {
    const priority = CONTACT_SYNONYMS[field][key];
    if (priority !== undefined && (best === null || priority > best.priority)) best = { field, priority };
  }
  return best;
}

/**
 * Contact fields among the columns `taken` leaves: per field the column with the highest
 * priority (ties: the leftmost); a column serves one field.
 */
function contactMapping(labels: readonly string[], taken: ReadonlySet<number>): Partial<Record<ContactField, number>> {
  const out: Partial<Record<ContactField, number>> = {};
  const used = new Set(taken);
  for (const field of CONTACT_FIELDS) {
    let best: { column: number; priority: number } | null = null;
    labels.forEach((label, column) => {
      if (used.has(column)) return;
      const m = contactMatch(label);
      if (m?.field === field && (best === null || m.priority > best.priority)) best = { column, priority: m.priority };
    });
    const got = best as { column: number; priority: number } | null;
    if (got !== null) {
      out[field] = got.column;
      used.add(got.column);
    }
  }
  return out;
}

// Sample-value plausibility. Loose on purpose: it only vetoes columns whose values clearly
// are not of the field's kind (a "日期" column holding names), the SQL parse decides the rest.
const DATE_LIKE =
  /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}年\d{1,2}月\d{1,2}日|\d{8}|\d{5}(\.\d+)?|\d{13})([ T].*)?$/u;
const AMOUNT_LIKE = /^[-+(−]?\s*\D{0,4}\s*[-+(−]?[\d.,\s']+\)?\s*\D{0,4}$/u;

export function looksLikeDate(value: string): boolean {
  return DATE_LIKE.test(value.normalize('NFKC').trim());
}

export function looksLikeNumber(value: string): boolean {
  const v = value.normalize('NFKC').trim();
  return /\d/.test(v) && AMOUNT_LIKE.test(v);
}

const PLAUSIBLE: Partial<Record<MappingField, (v: string) => boolean>> = {
  date: looksLikeDate,
  amount: looksLikeNumber,
  quantity: looksLikeNumber,
  unit_price: looksLikeNumber,
  cost: looksLikeNumber,
  profit: looksLikeNumber,
  score: looksLikeNumber,
};

/** False when most of a column's non-empty sample values do not fit the field. */
function plausible(field: MappingField, column: number, sampleRows: readonly (readonly string[])[]): boolean {
  const test = PLAUSIBLE[field];
  if (!test) return true;
  const values = sampleRows.map((r) => (r[column] ?? '').trim()).filter((v) => v !== '');
  if (values.length === 0) return true;
  const fits = values.filter(test).length;
  return fits * 2 >= values.length;
}

/**
 * Values that can only be a date (separators or 年月日; plain digit runs such as 20231205 or
 * a serial 45000 could as well be ids or amounts, so they propose nothing).
 */
const DATE_SHAPED = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{4}年\d{1,2}月\d{1,2}日)([ T].*)?$/u;
/** Values that read as money: a number with a decimal part, a thousands separator or a currency. */
const MONEY_SHAPED = /(\d[.,]\d{1,2}\s*\D{0,4}$|\d{1,3}(,\d{3})+|[¥￥$€£元]|RMB|CNY|USD)/iu;

function allValues(column: number, sampleRows: readonly (readonly string[])[], test: (v: string) => boolean): boolean {
  const values = sampleRows.map((r) => (r[column] ?? '').normalize('NFKC').trim()).filter((v) => v !== '');
  return values.length > 0 && values.every(test);
}

/**
 * When no label names the date (or the amount), the columns whose sample values all read as
 * one: a single such column is proposed (the page asks the user to confirm it; `analyze`
 * takes it and warns), several are ambiguous.
 */
function byValues(
  field: 'date' | 'amount',
  labels: readonly string[],
  sampleRows: readonly (readonly string[])[],
  taken: ReadonlySet<number>,
): number[] {
  const test = field === 'date' ? (v: string) => DATE_SHAPED.test(v) : (v: string) => looksLikeNumber(v) && MONEY_SHAPED.test(v);
  return labels.flatMap((_, column) => (!taken.has(column) && allValues(column, sampleRows, test) ? [column] : []));
}

export interface AutoMapResult {
  readonly mapping: ColumnMapping;
  /**
   * Required fields no label named, mapped to the one column whose sample values all read as
   * that field (a date, an amount): the user is asked to confirm them.
   */
  readonly proposed?: readonly { readonly field: MappingField; readonly column: number }[];
  /** Required fields that several columns match equally well (the user must choose). */
  readonly ambiguous: readonly { readonly field: MappingField; readonly columns: readonly number[] }[];
  /** Required fields no column matches ('amount' stands for amount or quantity × unit_price). */
  readonly missing: readonly MappingField[];
}

/**
 * Map columns to fields by label, then sample values. A column serves at most one field.
 * `unit_price` is mapped only when there is no amount column (amount = quantity × unit_price);
 * next to an amount it adds nothing and "price" there is as likely a list price.
 * Ties on an optional field go to the leftmost column.
 */
export function autoMap(
  labels: readonly string[],
  sampleRows: readonly (readonly string[])[],
  opts: { readonly proposeByValues?: boolean } = {},
): AutoMapResult {
  const candidates = new Map<MappingField, { column: number; priority: number }[]>();
  labels.forEach((label, column) => {
    const m = bestMatch(label);
    if (!m || !plausible(m.field, column, sampleRows)) return;
    const list = candidates.get(m.field) ?? [];
    list.push({ column, priority: m.priority });
    candidates.set(m.field, list);
  });

  const mapping: Partial<Record<MappingField, number>> = {};
  const ambiguous: { field: MappingField; columns: number[] }[] = [];
  for (const field of MAPPING_FIELDS) {
    const list = candidates.get(field);
    if (!list) continue;
    const top = Math.max(...list.map((c) => c.priority));
    const best = list.filter((c) => c.priority === top).map((c) => c.column);
    const first = best[0];
    if (first === undefined) continue;
    const required = field === 'customer' || field === 'date' || field === 'amount';
    if (best.length > 1 && required) ambiguous.push({ field, columns: best });
    else mapping[field] = first;
  }
  const amountAmbiguous = ambiguous.some((a) => a.field === 'amount');
  if (mapping.amount !== undefined || amountAmbiguous) delete mapping.unit_price;

  const proposed: { field: MappingField; column: number }[] = [];
  for (const field of opts.proposeByValues === false ? [] : (['date', 'amount'] as const)) {
    const named = mapping[field] !== undefined || ambiguous.some((a) => a.field === field);
    const viaProduct = field === 'amount' && mapping.quantity !== undefined && mapping.unit_price !== undefined;
    if (named || viaProduct) continue;
    const taken = new Set(Object.values(mapping));
    const columns = byValues(field, labels, sampleRows, taken);
    const only = columns[0];
    if (only !== undefined && columns.length === 1) {
      mapping[field] = only;
      proposed.push({ field, column: only });
    } else if (columns.length > 1) ambiguous.push({ field, columns });
  }
  if (mapping.amount !== undefined) delete mapping.unit_price;
  Object.assign(mapping, contactMapping(labels, new Set(Object.values(mapping))));

  const missing: MappingField[] = [];
  const isAmbiguous = (f: MappingField) => ambiguous.some((a) => a.field === f);
  for (const f of REQUIRED_FIELDS) if (mapping[f] === undefined && !isAmbiguous(f)) missing.push(f);
  const hasAmount =
    mapping.amount !== undefined ||
    amountAmbiguous ||
    (mapping.quantity !== undefined && mapping.unit_price !== undefined);
  if (!hasAmount && !isAmbiguous('amount')) missing.push('amount');
  return proposed.length > 0 ? { mapping, ambiguous, missing, proposed } : { mapping, ambiguous, missing };
}

/**
 * The unused columns kept per file, at most: the cells travel as one list per customer, so a
 * 300-column export would otherwise put 300 cells on each of its customers.
 */
export const MAX_UNUSED_COLUMNS = 64;

/** The file's columns no field is mapped to, left to right, at most `MAX_UNUSED_COLUMNS`. */
export function unusedColumns(mapping: ColumnMapping, columnCount: number): number[] {
  const used = new Set(Object.values(mapping));
  const out: number[] = [];
  for (let c = 0; c < columnCount && out.length < MAX_UNUSED_COLUMNS; c++) if (!used.has(c)) out.push(c);
  return out;
}

/** The fields a mapping still lacks (same rule as `autoMap`'s `missing`). */
export function missingFields(mapping: ColumnMapping): MappingField[] {
  const missing: MappingField[] = REQUIRED_FIELDS.filter((f) => mapping[f] === undefined);
  if (mapping.amount === undefined && (mapping.quantity === undefined || mapping.unit_price === undefined)) {
    missing.push('amount');
  }
  return missing;
}

/**
 * A stable key for a header, so that a mapping the user confirmed can be offered again for
 * the next file with the same columns (FNV-1a over the normalized labels).
 */
export function headerKey(labels: readonly string[]): string {
  const text = labels.map(normalizeLabel).join('\u001f');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${labels.length}:${h.toString(16).padStart(8, '0')}`;
}

export class MapArgError extends Error {
  constructor(
    readonly code: 'BAD_SYNTAX' | 'UNKNOWN_FIELD' | 'UNKNOWN_COLUMN' | 'AMBIGUOUS_COLUMN',
    readonly value: string,
  ) {
    super(`${code}: ${value}`);
    this.name = 'MapArgError';
  }
}

function isField(s: string): s is MappingField {
  return (MAPPING_FIELDS as readonly string[]).includes(s);
}

/**
 * Parse `field=column label` (the CLI's `--map`). The label is matched exactly, then after
 * trimming, then by `normalizeLabel`; `#3` names the third column.
 */
export function parseMapArg(arg: string, labels: readonly string[]): { field: MappingField; column: number } {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new MapArgError('BAD_SYNTAX', arg);
  const field = arg.slice(0, eq).trim();
  const label = arg.slice(eq + 1);
  if (!isField(field)) throw new MapArgError('UNKNOWN_FIELD', field);
  const byNumber = /^#(\d+)$/.exec(label.trim());
  if (byNumber) {
    const n = Number(byNumber[1]);
    if (n >= 1 && n <= labels.length) return { field, column: n - 1 };
    throw new MapArgError('UNKNOWN_COLUMN', label);
  }
  const tries: ((l: string) => string)[] = [(l) => l, (l) => l.trim(), normalizeLabel];
  for (const f of tries) {
    const want = f(label);
    const hits = labels.flatMap((l, i) => (f(l) === want ? [i] : []));
    if (hits.length === 1 && hits[0] !== undefined) return { field, column: hits[0] };
    if (hits.length > 1) throw new MapArgError('AMBIGUOUS_COLUMN', label);
  }
  throw new MapArgError('UNKNOWN_COLUMN', label);
}

const SQL_WORDS = new Set([
  'select', 'from', 'where', 'drop', 'table', 'insert', 'update', 'delete', 'union', 'join', 'group', 'order',
  'by', 'create', 'alter', 'into', 'values', 'null', 'and', 'or', 'not', 'as', 'limit', 'having',
]);

/** A label that needs care wherever it is shown or quoted: quotes, semicolons, brackets, SQL. */
export function isUnusualLabel(label: string): boolean {
  const l = label.trim();
  if (l === '') return false;
  return /["'`;()[\]{}\\<>]|--|\/\*|[\u0000-\u001f]/u.test(l) || /^[0-9]/.test(l) || SQL_WORDS.has(l.toLowerCase());
}

export interface LabelCounts {
  readonly unused: number;
  readonly unusual: number;
  readonly duplicate: number;
  readonly empty: number;
}

/**
 * Counts for the column-name warnings. `headerCells` is the whole header record (trailing
 * unnamed columns included); `labels` the N columns kept.
 */
export function labelCounts(headerCells: readonly string[], labels: readonly string[], mapping: ColumnMapping): LabelCounts {
  const used = new Set(Object.values(mapping));
  const seen = new Set<string>();
  let duplicate = 0;
  for (const l of labels) {
    const key = l.trim();
    if (key === '') continue;
    if (seen.has(key)) duplicate++;
    seen.add(key);
  }
  return {
    unused: labels.filter((l, i) => l.trim() !== '' && !used.has(i) && !isDescriptiveLabel(l)).length,
    unusual: labels.filter(isUnusualLabel).length,
    duplicate,
    empty: headerCells.filter((c) => c.trim() === '').length,
  };
}
