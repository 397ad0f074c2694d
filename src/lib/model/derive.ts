/**
 * The SQL that derives `f_lines`, `orders` and `customers` from the canonical `lines`
 * (METRICS.md §1), after the global filters. Run once per filter change; every analysis
 * reads these tables. The as-of date is not baked in: analyses take it as a parameter.
 */
import { join, raw, sql, type SqlQuery } from '../db/sql.ts';
import { DIMENSIONS } from './schema.ts';
import type { Filters } from './settings.ts';

/** Which optional columns the user mapped (decides order keys and breakdowns). */
export interface Mapped {
  readonly category: boolean;
  readonly region: boolean;
  readonly channel: boolean;
  /** An order id column: orders are keyed by it, else by customer and calendar day. */
  readonly order: boolean;
}

export const NO_FILTERS: Filters = { from: null, to: null, dims: {} };

/**
 * `f_lines`: a view of the kept lines that pass the filters. Views cannot take bound
 * parameters, so the filter values go into two small tables the view reads. A date filter
 * applies to each line's calendar day and a dimension filter to each line's value, so an
 * order can lose some of its lines.
 */
function filteredLines(filters: Filters): SqlQuery[] {
  const stmts: SqlQuery[] = [
    sql`CREATE OR REPLACE TABLE f_filter AS SELECT CAST(${filters.from} AS DATE) AS date_from, CAST(${filters.to} AS DATE) AS date_to`,
    raw('CREATE OR REPLACE TABLE f_dims (dim VARCHAR NOT NULL, value VARCHAR NOT NULL)'),
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
  stmts.push(raw(`CREATE OR REPLACE VIEW f_lines AS SELECT * FROM lines${where}`));
  return stmts;
}

/**
 * `orders`: one row per order. order_key = the order id (when mapped and present on the
 * line), else the calendar day 'YYYY-MM-DD'; `has_id` tells them apart, so an order id
 * that looks like a date never merges with a day. `purchase_seq` numbers a customer's
 * purchase orders by (order_date, order_key); null for returns.
 */
function ordersTable(mapped: Mapped): SqlQuery {
  const id = mapped.order ? raw('order_id') : raw('CAST(NULL AS VARCHAR)');
  return sql`CREATE OR REPLACE TABLE orders AS
WITH keyed AS (
  SELECT *, ${id} AS oid, ${id} IS NOT NULL AS has_id,
         coalesce(${id}, strftime(order_date, '%Y-%m-%d')) AS order_key
  FROM f_lines),
grouped AS (
  SELECT customer_id, has_id, order_key,
         any_value(oid) AS order_id,
         min(order_date) AS order_date,
         sum(amount) AS order_net,
         count(*)::INTEGER AS n_lines,
         arg_min_null(category, {'f': file_no, 'l': line_no}) AS category,
         arg_min_null(region, {'f': file_no, 'l': line_no}) AS region,
         arg_min_null(channel, {'f': file_no, 'l': line_no}) AS channel,
         sum(cost) AS cost,
         sum(profit) AS profit,
         avg(score) AS score
  FROM keyed
  GROUP BY customer_id, has_id, order_key)
SELECT *, order_net >= 0 AS is_purchase,
       CASE WHEN order_net >= 0 THEN row_number() OVER (
         PARTITION BY customer_id, order_net >= 0 ORDER BY order_date, order_key, has_id) END::INTEGER AS purchase_seq
FROM grouped`;
}

/**
 * `customers`: ids with at least one purchase order. first/second/last_date and n_orders
 * count purchase orders; value and profit sum all orders (returns included); the
 * dimensions are those of the first purchase order. `score` is the customer score of
 * METRICS.md §6: when the survey has rows, the mean of the order scores of survey rows
 * keyed by order id and of the responses keyed by customer id; otherwise the mean of the
 * order scores from the sales file's score column.
 */
function customersTable(): SqlQuery {
  return raw(`CREATE OR REPLACE TABLE customers AS
WITH per_customer AS (
  SELECT customer_id,
         min(order_date) FILTER (WHERE is_purchase) AS first_date,
         max(order_date) FILTER (WHERE is_purchase) AS last_date,
         min(order_date) FILTER (WHERE purchase_seq = 2) AS second_date,
         (count(*) FILTER (WHERE is_purchase))::INTEGER AS n_orders,
         sum(order_net) AS value,
         sum(order_net) FILTER (WHERE is_purchase) AS purchase_value,
         arg_min_null(category, purchase_seq) FILTER (WHERE purchase_seq = 1) AS first_category,
         arg_min_null(region, purchase_seq) FILTER (WHERE purchase_seq = 1) AS first_region,
         arg_min_null(channel, purchase_seq) FILTER (WHERE purchase_seq = 1) AS first_channel,
         sum(profit) AS profit,
         avg(score) AS line_score
  FROM orders
  GROUP BY customer_id
  HAVING count(*) FILTER (WHERE is_purchase) > 0),
survey_units AS (
  SELECT o.customer_id, avg(s.score) AS score
  FROM survey s JOIN orders o ON o.has_id AND o.order_id = s.order_id
  WHERE s.order_id IS NOT NULL
  GROUP BY o.customer_id, o.order_key
  UNION ALL
  SELECT customer_id, score FROM survey WHERE order_id IS NULL AND customer_id IS NOT NULL),
survey_score AS (SELECT customer_id, avg(score) AS score FROM survey_units GROUP BY customer_id)
SELECT p.* EXCLUDE (line_score),
       CASE WHEN (SELECT count(*) FROM survey) > 0 THEN s.score ELSE p.line_score END AS score
FROM per_customer p LEFT JOIN survey_score s USING (customer_id)`);
}

/**
 * Statements that (re)build f_lines, orders and customers, in order. Needs `lines`;
 * creates an empty `survey` when the ingest made none.
 */
export function deriveTables(filters: Filters, mapped: Mapped): SqlQuery[] {
  return [
    raw(`CREATE TABLE IF NOT EXISTS survey (
  file_no INTEGER NOT NULL, line_no INTEGER NOT NULL, customer_id VARCHAR, order_id VARCHAR,
  response_date DATE, score DOUBLE NOT NULL)`),
    ...filteredLines(filters),
    ordersTable(mapped),
    customersTable(),
  ];
}

/** The default as-of date: the latest calendar day among kept lines after the filters. */
export interface DefaultAsOfRow {
  readonly as_of: string | null;
}

export function defaultAsOfQuery(): SqlQuery {
  return raw(`SELECT strftime(max(order_date), '%Y-%m-%d') AS as_of FROM f_lines`);
}
