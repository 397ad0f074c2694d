/**
 * Runs every analysis for one set of settings and collects the typed results the views
 * and charts read. The only analysis module that touches a database client (type only).
 */
import type { DbClient } from '../db/client.ts';
import type { SqlQuery } from '../db/sql.ts';
import type { LoadReport } from '../ingest/types.ts';
import type { Metrics } from '../model/metrics.ts';
import type { Settings } from '../model/settings.ts';
import type { Mapped } from '../model/derive.ts';
import type { OverviewRow } from './overview.ts';
import type { ParetoResult } from './pareto.ts';
import type { RepurchaseResult } from './repurchase.ts';
import type { RetentionResult } from './retention.ts';
import type { SatisfactionResult } from './satisfaction.ts';

export type * from './common.ts';
export type * from './overview.ts';
export type * from './pareto.ts';
export type * from './repurchase.ts';
export type * from './retention.ts';
export type * from './satisfaction.ts';
export type * from './customer-list.ts';

/** Everything the dashboard shows for one dataset and one set of settings. */
export interface DashboardResult {
  /** The as-of date used (ISO); null when no line survives the filters (then every section is empty). */
  readonly asOf: string | null;
  readonly mapped: Mapped;
  readonly overview: OverviewRow;
  readonly pareto: ParetoResult;
  readonly repurchase: RepurchaseResult;
  readonly retention: RetentionResult;
  readonly satisfaction: SatisfactionResult;
  /** Wall-clock milliseconds of the whole run (derive included). */
  readonly millis: number;
}
