/**
 * The SQL that derives `f_lines`, `orders` and `customers` from the canonical `lines`
 * (METRICS.md §1), after the global filters. Run once per filter change; every analysis
 * reads these tables.
 */
import { sql, type SqlQuery } from '../db/sql.ts';
import type { Filters } from './settings.ts';

/** Which optional columns the user mapped (decides order keys and breakdowns). */
export interface Mapped {
  readonly category: boolean;
  readonly region: boolean;
  readonly channel: boolean;
  /** An order id column: orders are keyed by it, else by customer and calendar day. */
  readonly order: boolean;
}
