import type { DashboardResult, Quadrant, Tier } from '../lib/analyses/index.ts';
import type { ChartContext } from '../lib/charts/theme.ts';
import type { Metrics } from '../lib/model/metrics.ts';
import type { SettingsState } from '../lib/state/settings.svelte.ts';

/** What every dashboard panel receives from `Dashboard.svelte`. */
export interface PanelProps {
  readonly result: DashboardResult;
  readonly metrics: Metrics;
  readonly settings: SettingsState;
  /** ISO code when the amounts name exactly one currency. */
  readonly currency: string | null;
  readonly chartContext: (width: number) => ChartContext;
}

/** Exports the customers behind a tier or a quadrant; null where there are no customer rows. */
export type CustomerExport = ((filter: { tier?: Tier; quadrant?: Quadrant }, name: string) => Promise<void>) | null;
