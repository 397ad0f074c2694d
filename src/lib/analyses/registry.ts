/**
 * The dashboard's panels, in tab order. Everything that lists panels reads this: the run
 * (`runDashboard`), its phases and progress weights, share links, the report, `analyze`.
 * A panel is one module exporting one `PanelDescriptor`; add it here, and its view to
 * `views/registry.ts` (docs/ARCHITECTURE.md, "Adding a panel").
 */
import { clvPanel } from './clv.ts';
import { overviewPanel } from './overview.ts';
import type { PanelDescriptor, ResultOf, ShowsOf } from './panel.ts';
import { paretoPanel } from './pareto.ts';
import { repurchasePanel } from './repurchase.ts';
import { retentionPanel } from './retention.ts';
import { satisfactionPanel } from './satisfaction.ts';
import { segmentsPanel } from './segments.ts';
import { lifecyclePanel } from './lifecycle.ts';
import { compositionPanel } from './composition.ts';
import { warningsPanel } from './warnings.ts';
import { keyCustomersPanel } from './key-customers.ts';

export const PANEL_REGISTRY = [
  overviewPanel,
  paretoPanel,
  repurchasePanel,
  retentionPanel,
  satisfactionPanel,
  segmentsPanel,
  lifecyclePanel,
  compositionPanel,
  warningsPanel,
  keyCustomersPanel,
  clvPanel,
] as const;

type Registered = (typeof PANEL_REGISTRY)[number];
export type PanelId = Registered['id'];

export const PANEL_IDS: readonly PanelId[] = PANEL_REGISTRY.map((p) => p.id);

/** Each panel's result under its id. */
export type PanelResults = { readonly [P in Registered as P['id']]: ResultOf<P> };

/** The panels whose results panel K's view shows: its own and its descriptor's `shows`. */
export type ShownByView<K extends PanelId> = K | ShowsOf<Extract<Registered, { readonly id: K }>>;

/** The registry's entry for an id. */
export function panelOf(id: PanelId): PanelDescriptor<PanelId> {
  const panel = PANEL_REGISTRY.find((p) => p.id === id);
  if (panel === undefined) throw new Error(`no panel ${id}`);
  return panel as PanelDescriptor<PanelId>;
}

/** A result's value for one panel, typed loosely for code that walks the registry. */
export function resultOf(results: PanelResults, id: PanelId): unknown {
  return results[id];
}
