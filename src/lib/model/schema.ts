/**
 * The canonical tables. Analyses read only these names and columns.
 * Definitions: METRICS.md §1 (kept line, amount, order, customer, as-of date).
 */

/** Fields a user maps file columns to (the names of the mapper and of `analyze --map`). */
export const MAPPING_FIELDS = [
  'customer',
  'order',
  'date',
  'amount',
  'quantity',
  'unit_price',
  'product',
  'category',
  'region',
  'channel',
  'cost',
  'profit',
  'score',
  'name',
  'phone',
  'contact',
] as const;
export type MappingField = (typeof MAPPING_FIELDS)[number];

/**
 * Optional contact fields: the customer's name, phone and contact person. They never enter
 * `lines` or any aggregate; per customer, each takes the value of the customer's latest kept
 * line where it is not empty (`customer_info`).
 */
export const CONTACT_FIELDS = ['name', 'phone', 'contact'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

/** Optional dimension fields that the global filters and breakdowns can use. */
export const DIMENSIONS = ['category', 'region', 'channel'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * `lines`: one row per kept input line.
 *   file_no INTEGER, line_no INTEGER     where it came from (1-based physical line)
 *   customer_id VARCHAR                   trimmed, exactly as written
 *   order_id VARCHAR NULL                 when an order column is mapped
 *   order_ts TIMESTAMP                    date-time as parsed (midnight when only a date)
 *   order_date DATE                       calendar day of order_ts
 *   amount DECIMAL(18,4)                  net line amount; negative = return/refund
 *   quantity DOUBLE NULL, unit_price DOUBLE NULL
 *   product, category, region, channel VARCHAR NULL
 *   cost DECIMAL(18,4) NULL, profit DECIMAL(18,4) NULL  (profit = amount − cost when only cost is mapped)
 *   score DOUBLE NULL                     satisfaction score on the line, if mapped
 *   currency VARCHAR NULL                 ISO code when the amount cell states one
 *
 * Amounts are DECIMAL so that sums are exact to the cent; analyses cast to DOUBLE on output.
 */
export const LINES_DDL = `CREATE OR REPLACE TABLE lines (
  file_no INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  customer_id VARCHAR NOT NULL,
  order_id VARCHAR,
  order_ts TIMESTAMP NOT NULL,
  order_date DATE NOT NULL,
  amount DECIMAL(18,4) NOT NULL,
  quantity DOUBLE,
  unit_price DOUBLE,
  product VARCHAR,
  category VARCHAR,
  region VARCHAR,
  channel VARCHAR,
  cost DECIMAL(18,4),
  profit DECIMAL(18,4),
  score DOUBLE,
  currency VARCHAR
)`;

/**
 * `survey`: one row per survey response (or per line score when the sales file carries one
 * is NOT stored here; line scores stay on `lines`).
 *   customer_id VARCHAR NULL, order_id VARCHAR NULL (one of the two keys is set)
 *   response_date DATE NULL, score DOUBLE NOT NULL
 */
export const SURVEY_DDL = `CREATE OR REPLACE TABLE survey (
  file_no INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  customer_id VARCHAR,
  order_id VARCHAR,
  response_date DATE,
  score DOUBLE NOT NULL
)`;

/**
 * `customer_info`: one row per customer that has a contact value or whose file has unused
 * columns; built at the end of a load from the kept lines (customer-info.ts), never from
 * the filters, and never published in an aggregates-only site.
 *   name, phone, contact VARCHAR NULL      per field, the trimmed value of the customer's
 *                                          latest kept line (order_ts, then file, then line
 *                                          number) on which it is not empty
 *   file_no, line_no INTEGER                the customer's latest kept line (same order)
 *   cells VARCHAR[] NULL                    that line's unused columns, as written, in the
 *                                          order of `unusedColumns` for its file
 */
export const CUSTOMER_INFO_DDL = `CREATE OR REPLACE TABLE customer_info (
  customer_id VARCHAR NOT NULL,
  name VARCHAR,
  phone VARCHAR,
  contact VARCHAR,
  file_no INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  cells VARCHAR[]
)`;
