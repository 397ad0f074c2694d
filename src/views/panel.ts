import type { CurrencyChoice, CurrencyTotalRow, CustomerFilter, PanelId, Shown, ShownByView } from '../lib/analyses/index.ts';
import type { DbClient } from '../lib/db/client.ts';
import type { Metrics } from '../lib/model/metrics.ts';
import type { SettingsState } from '../lib/state/settings.svelte.ts';

/** Exports the customers behind a tier, a quadrant, a segment, a class or a stage; null where there are no customer rows. */
export type CustomerExport = ((filter: CustomerFilter, name: string) => Promise<void>) | null;

/** Opens the list of the customers behind an aggregate (heading, paging, export, detail); null where there are no customer rows. */
export type CustomerDrill = ((filter: CustomerFilter) => void) | null;

/**
 * What every dashboard panel's view receives from `Dashboard.svelte` (each takes what it
 * needs). `K`: the view's panel; `result` has it and the panels it `shows`, any other panel
 * only once the run has it (the first run shows each panel as it is done).
 */
export interface PanelProps<K extends PanelId = PanelId> {
  readonly result: Shown<ShownByView<K>>;
  readonly metrics: Metrics;
  readonly settings: SettingsState;
  /** ISO code when the amounts name exactly one currency. */
  readonly currency: string | null;
  /** Open another panel (headlines link to the panel they summarise). */
  readonly onpanel: (p: PanelId) => void;
  readonly onexport: CustomerExport;
  /** Opens a customer list (tables' rows and charts' marks); absent or null without customer rows. */
  readonly ondrill?: CustomerDrill;
  /** When the amounts name several currencies: the one analysed, and every group's lines. */
  readonly currencyChoice: CurrencyChoice | null;
  /** Per currency group after the date and dimension filters; empty until read. */
  readonly currencyTotals: readonly CurrencyTotalRow[];
  /**
   * True for a panel whose numbers in `result` are not yet the running change's (the previous
   * run's, kept on screen until its own part of the run is done): a view that shows other
   * panels' numbers (the overview's headlines and to-do cards) marks those parts with it.
   * Absent: every number is current.
   */
  readonly updating?: (p: PanelId) => boolean;
  /** The engine, for views that read customer lists a page at a time (null in a published summary). */
  readonly db?: DbClient | null;
}
