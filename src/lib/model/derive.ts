/**
 * The SQL that derives `f_lines`, `orders`, `customers` and `purchase_days` from the
 * canonical `lines` (METRICS.md §1), after the global filters and the as-of cut. Run once per change of the
 * filters or the as-of date; every analysis reads these tables (and still takes the as-of
 * date as a parameter, for recency, censoring and completeness).
 */
import { ident, join, raw, sql, type SqlQuery } from '../db/sql.ts';
import type { UnusedColumn } from './mapped.ts';
import { DIMENSIONS, type ContactField } from './schema.ts';
import { UNMARKED, type Filters } from './settings.ts';

/** Which optional columns the user mapped (decides order keys and breakdowns). */
export interface Mapped {
  readonly category: boolean;
  readonly region: boolean;
  readonly channel: boolean;
  /** An order id column: orders are keyed by it, else by customer and calendar day. */
  readonly order: boolean;
  /** The score column in use is named as a Net Promoter question (NPS, 推荐…, likelihood to recommend): a 0–10 scale. */
  readonly npsScore?: boolean;
  /** Contact fields some sales file maps (schema.ts CONTACT_FIELDS): the customer lists' extra columns. */
  readonly contacts?: readonly ContactField[];
  /** The sales files' unmapped columns, whose latest-line text the follow-up sheet can add. */
  readonly unused?: readonly UnusedColumn[];
}

export const NO_FILTERS: Filters = { from: null, to: null, dims: {} };

/**
 * The in-memory database the dashboard's derived tables live in (orders, customers,
 * purchase_days and the panels' own tables), attached afresh by every derive and found by
 * unqualified names through the search path (after the default database, whose tables are
 * the data's). In memory even when the data is kept on the device: a filter change writes
 * nothing to the database file. For large data it is DuckDB's compressed in-memory
 * storage: on the page's engine at 5 M lines the run's peak memory fell from 2007 to 1121 MB
 * and the run took 56 s instead of 33 s; at 1 M lines the tables hold 293 MB uncompressed
 * and the run is 1.7 times slower compressed, so only from DERIVED_COMPRESSED_FROM_LINES.
 */
export const DERIVED_DATABASE = 'derived';

/** Kept lines from which the derived tables are compressed (3 M lines of text are about 280 MB). */
export const DERIVED_COMPRESSED_FROM_LINES = 3_000_000;

/**
 * Kept lines per part of the `orders` build for large data (`orderParts`). Grouping all the
 * lines into orders at once is the engine's peak of a large dashboard run (its hash table
 * holds every order); built a part of the customers at a time, it holds one part's orders.
 */
export const ORDER_PART_LINES = 2_500_000;

/** How many parts `orders` is built in for `lines` kept lines: 1 below `compressFrom` (uncompressed). */
export function orderParts(lines: number, compressFrom = DERIVED_COMPRESSED_FROM_LINES, partLines = ORDER_PART_LINES): number {
  return lines >= compressFrom ? Math.max(1, Math.ceil(lines / partLines)) : 1;
}

/** `CREATE OR REPLACE TABLE` for derived table `name`, in DERIVED_DATABASE. */
export function createDerived(name: string): ReturnType<typeof sql> {
  return sql`CREATE OR REPLACE TABLE ${ident(DERIVED_DATABASE)}.${ident(name)}`;
}

/** A fresh DERIVED_DATABASE (its previous tables dropped with it) on the search path. */
function derivedDatabase(compress: boolean): SqlQuery[] {
  return [
    raw(`DETACH DATABASE IF EXISTS ${DERIVED_DATABASE}`),
    raw(`ATTACH ':memory:' AS ${DERIVED_DATABASE}${compress ? ' (COMPRESS)' : ''}`),
    // Unqualified names: TEMP tables first (always), then the default database, then the derived one.
    raw(`SET search_path = '"' || replace(current_database(), '"', '""') || '".main,${DERIVED_DATABASE}.main'`),
  ];
}

/**
 * `f_currency`: one row per currency group of the kept lines (unfiltered): `grp` is the
 * ISO code, or `UNMARKED` for lines whose amount names none; `shown` marks the group the
 * dashboard analyses. When the lines name two or more currencies exactly one group is
 * shown: the requested one when the data has it, else the named currency with the most
 * lines (ties: the code alphabetically). Otherwise none is, and every line is analysed.
 */
function currencyTable(requested: string | null): SqlQuery {
  const req = sql`CAST(${requested} AS VARCHAR)`;
  return sql`CREATE OR REPLACE TEMP TABLE f_currency AS
WITH g AS (
  SELECT coalesce(currency, ${raw(`'${UNMARKED}'`)}) AS grp, currency, count(*)::INTEGER AS lines
  FROM lines GROUP BY currency),
named AS (SELECT * FROM g WHERE currency IS NOT NULL),
pick AS (
  SELECT CASE
    WHEN (SELECT count(*) FROM named) < 2 THEN NULL
    WHEN ${req} IN (SELECT grp FROM g) THEN ${req}
    ELSE (SELECT currency FROM named ORDER BY lines DESC, currency LIMIT 1) END AS grp)
SELECT g.grp, g.currency, g.lines, coalesce(g.grp = pick.grp, false) AS shown
FROM g, pick
ORDER BY g.lines DESC, g.currency NULLS LAST`;
}

/**
 * The shown group goes into a session variable: `getvariable` is a constant when a query
 * is bound, so with no group shown the currency condition of `f_lines` folds away and a
 * single-currency file is scanned as if there were none (a subquery there cost ~20 % per scan).
 */
const SHOWN_CURRENCY = 'll_shown_currency';
/** The as-of date chosen in the settings (NULL = the default, which cuts nothing); a variable for the same reason. */
const AS_OF = 'll_as_of';

/**
 * `f_scope`: a view of the kept lines that pass the date and dimension filters and are
 * dated on or before the as-of date; `f_lines`: those of the shown currency group (all of
 * them when no group is shown). `f_group` is `f_lines` before the as-of cut: its latest day
 * is the default as-of date, and its lines after the as-of date are the ones set aside.
 * Views cannot take bound parameters, so the filter values go into small tables the views
 * read. A date filter applies to each line's calendar day and a dimension or currency
 * filter to each line's value, so an order can lose some of its lines. All of them are
 * TEMP: a filter change writes nothing to the database file on the device.
 */
function filteredLines(filters: Filters, asOf: string | null): SqlQuery[] {
  const stmts: SqlQuery[] = [
    sql`CREATE OR REPLACE TEMP TABLE f_filter AS SELECT CAST(${filters.from} AS DATE) AS date_from, CAST(${filters.to} AS DATE) AS date_to,
  CAST(${asOf} AS DATE) AS as_of`,
    raw('CREATE OR REPLACE TEMP TABLE f_dims (dim VARCHAR NOT NULL, value VARCHAR NOT NULL)'),
    currencyTable(filters.currency ?? null),
  ];
  const conds: string[] = [];
  if (filters.from !== null) conds.push('order_date >= (SELECT date_from FROM f_filter)');
  if (filters.to !== null) conds.push('order_date <= (SELECT date_to FROM f_filter)');
  for (const dim of DIMENSIONS) {
    const values = filters.dims[dim];
    if (!values || values.length === 0) continue;
    stmts.push(sql`INSERT INTO f_dims SELECT ${dim}, unnest(${raw('[')}${join(values)}${raw(']')}::VARCHAR[])`);
    conds.push(`${dim} IN (SELECT value FROM f_dims WHERE dim = '${dim}')`);
  }
  const where = conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '';
  stmts.push(raw(`SET VARIABLE ${SHOWN_CURRENCY} = (SELECT any_value(grp) FILTER (WHERE shown) FROM f_currency)`));
  stmts.push(raw(`SET VARIABLE ${AS_OF} = (SELECT as_of FROM f_filter)`));
  const shown = `getvariable('${SHOWN_CURRENCY}')`;
  const cut = `(getvariable('${AS_OF}') IS NULL OR order_date <= getvariable('${AS_OF}'))`;
  stmts.push(raw(`CREATE OR REPLACE TEMP VIEW f_filtered AS SELECT * FROM lines${where}`));
  stmts.push(raw(`CREATE OR REPLACE TEMP VIEW f_scope AS SELECT * FROM f_filtered WHERE ${cut}`));
  stmts.push(
    raw(`CREATE OR REPLACE TEMP VIEW f_group AS SELECT * FROM f_filtered
WHERE ${shown} IS NULL OR coalesce(currency, '${UNMARKED}') = ${shown}`),
  );
  stmts.push(raw(`CREATE OR REPLACE TEMP VIEW f_lines AS SELECT * FROM f_group WHERE ${cut}`));
  // Survey responses dated after as_of were not given yet; undated ones count.
  stmts.push(
    raw(`CREATE OR REPLACE TEMP VIEW f_survey AS SELECT * FROM survey
WHERE getvariable('${AS_OF}') IS NULL OR response_date IS NULL OR response_date <= getvariable('${AS_OF}')`),
  );
  return stmts;
}

/**
 * `orders`: one row per order. order_key = the order id (when mapped and present on the
 * line), else the calendar day 'YYYY-MM-DD'; `has_id` tells them apart, so an order id
 * that looks like a date never merges with a day. An order's dimensions are those of its
 * first line in file order (`pos` packs file and line number into one sortable integer).
 */
function ordersTable(mapped: Mapped, part = 0, parts = 1): SqlQuery {
  const id = mapped.order ? raw('order_id') : raw('CAST(NULL AS VARCHAR)');
  // An order's lines share its customer: a part of the customers holds whole orders.
  const where = parts > 1 ? sql` WHERE hash(customer_id) % ${raw(String(parts))} = ${raw(String(part))}` : raw('');
  const target = part === 0 ? sql`${createDerived('orders')} AS` : sql`INSERT INTO ${ident(DERIVED_DATABASE)}.orders`;
  return sql`${target}
WITH keyed AS (
  SELECT *, ${id} AS oid, ${id} IS NOT NULL AS has_id,
         coalesce(${id}, strftime(order_date, '%Y-%m-%d')) AS order_key,
         (file_no::BIGINT << 32) + line_no AS pos
  FROM f_lines${where})
SELECT customer_id, has_id, order_key,
       any_value(oid) AS order_id,
       min(order_date) AS order_date,
       sum(amount) AS order_net,
       count(*)::INTEGER AS n_lines,
       arg_min_null(category, pos) AS category,
       arg_min_null(region, pos) AS region,
       arg_min_null(channel, pos) AS channel,
       sum(cost) AS cost,
       sum(profit) AS profit,
       avg(score) AS score,
       sum(amount) >= 0 AS is_purchase
FROM keyed
GROUP BY customer_id, has_id, order_key`;
}

/**
 * `purchase_days`: one row per customer and purchase day (a calendar day with at least one
 * purchase order): `n` = purchase orders that day, `net` = Σ their order_net, `gap` = days
 * since the previous purchase day (null on the first), `first_d` = the customer's first
 * purchase day and `p_all` = how many purchase days the customer has in all. The one
 * ordered pass over each customer's purchases, which the gap histogram, the RFM and
 * lifecycle figures and the lifetime-value summary all read instead of grouping and
 * sorting the orders again each.
 */
export function purchaseDaysTable(): SqlQuery {
  return sql`${createDerived('purchase_days')} AS
SELECT customer_id, order_date AS d, count(*)::INTEGER AS n, sum(order_net) AS net,
       date_diff('day', lag(order_date) OVER w, order_date)::INTEGER AS gap,
       first_value(order_date) OVER w AS first_d,
       count(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)::INTEGER AS p_all
FROM orders WHERE is_purchase
GROUP BY customer_id, order_date
WINDOW w AS (PARTITION BY customer_id ORDER BY order_date)`;
}

/**
 * `customers`: ids with at least one purchase order. first/second/last_date and n_orders
 * count purchase orders (second_date is the second-earliest purchase order's day); value
 * and profit sum all orders (returns included); the dimensions are those of the first
 * purchase order, ordered by (order_date, order_key, has_id). `score` is the customer score of
 * METRICS.md §6: when the survey has rows, the mean of the order scores of survey rows (dated on or before as_of, or undated)
 * keyed by order id and of the responses keyed by customer id; otherwise the mean of the
 * order scores from the sales file's score column.
 */
function customersTable(): SqlQuery {
  return sql`${createDerived('customers')} AS
WITH per_customer AS (
  SELECT customer_id,
         min(order_date) FILTER (WHERE is_purchase) AS first_date,
         max(order_date) FILTER (WHERE is_purchase) AS last_date,
         min(order_date, 2) FILTER (WHERE is_purchase)[2] AS second_date,
         (count(*) FILTER (WHERE is_purchase))::INTEGER AS n_orders,
         sum(order_net) AS value,
         sum(order_net) FILTER (WHERE is_purchase) AS purchase_value,
         arg_min_null({'category': category, 'region': region, 'channel': channel},
                      {'d': order_date, 'k': order_key, 'h': has_id}) FILTER (WHERE is_purchase) AS firsts,
         sum(profit) AS profit,
         avg(score) AS line_score
  FROM orders
  GROUP BY customer_id
  HAVING count(*) FILTER (WHERE is_purchase) > 0),
survey_units AS (
  SELECT o.customer_id, avg(s.score) AS score
  FROM f_survey s JOIN orders o ON o.has_id AND o.order_id = s.order_id
  WHERE s.order_id IS NOT NULL
  GROUP BY o.customer_id, o.order_key
  UNION ALL
  SELECT customer_id, score FROM f_survey WHERE order_id IS NULL AND customer_id IS NOT NULL),
survey_score AS (SELECT customer_id, avg(score) AS score FROM survey_units GROUP BY customer_id)
SELECT p.* EXCLUDE (line_score, firsts),
       firsts.category AS first_category, firsts.region AS first_region, firsts.channel AS first_channel,
       CASE WHEN (SELECT count(*) FROM survey) > 0 THEN s.score ELSE p.line_score END AS score
FROM per_customer p LEFT JOIN survey_score s USING (customer_id)`;
}

/**
 * Statements that (re)build f_lines, orders, customers and purchase_days, in order, on the
 * lines dated on or before `asOf` (null = the default as-of date, which cuts nothing), in a
 * fresh DERIVED_DATABASE (`compress`: compressed), `orders` in `parts` parts of the customers
 * (`orderParts`). Needs `lines`; creates an empty `survey` when the ingest made none.
 * Without `withPurchaseDays`, purchase_days is left for `purchaseDaysTable` to build later.
 */
export function deriveTables(filters: Filters, mapped: Mapped, asOf: string | null = null, compress = false, parts = 1, withPurchaseDays = true): SqlQuery[] {
  return [
    ...derivedDatabase(compress),
    raw(`CREATE TABLE IF NOT EXISTS survey (
  file_no INTEGER NOT NULL, line_no INTEGER NOT NULL, customer_id VARCHAR, order_id VARCHAR,
  response_date DATE, score DOUBLE NOT NULL)`),
    ...filteredLines(filters, asOf),
    ...Array.from({ length: parts }, (_, k) => ordersTable(mapped, k, parts)),
    customersTable(),
    ...(withPurchaseDays ? [purchaseDaysTable()] : []),
  ];
}

/**
 * The default as-of date: the latest calendar day among the kept lines of the analysed
 * group after the filters (before any as-of cut); and how many of those lines are dated
 * after `asOf` and so set aside (0 for the default).
 */
export interface DefaultAsOfRow {
  readonly as_of: string | null;
  readonly lines_after_as_of: number;
}

export function defaultAsOfQuery(): SqlQuery {
  return raw(`SELECT strftime(max(order_date), '%Y-%m-%d') AS as_of,
       (count(*) FILTER (WHERE order_date > getvariable('${AS_OF}')))::INTEGER AS lines_after_as_of
FROM f_group`);
}
