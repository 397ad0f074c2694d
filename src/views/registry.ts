/**
 * Each panel's view, loaded when the dashboard first needs it. One line per panel of
 * `lib/analyses/registry.ts` (the type makes a missing one a compile error).
 */
import type { Component } from 'svelte';
import { shownBy, type PanelId } from '../lib/analyses/index.ts';
import { PANEL_IDS } from '../lib/analyses/registry.ts';
import type { PanelProps } from './panel.ts';

export type PanelView = Component<PanelProps>;

export const VIEW_REGISTRY: { readonly [K in PanelId]: () => Promise<{ default: PanelView }> } = {
  overview: () => import('./OverviewView.svelte'),
  pareto: () => import('./ParetoView.svelte'),
  repurchase: () => import('./RepurchaseView.svelte'),
  retention: () => import('./RetentionView.svelte'),
  satisfaction: () => import('./SatisfactionView.svelte'),
  segments: () => import('./SegmentsView.svelte'),
  lifecycle: () => import('./LifecycleView.svelte'),
  composition: () => import('./CompositionView.svelte'),
  warnings: () => import('./WarningsView.svelte'),
  key_customers: () => import('./KeyCustomersView.svelte'),
  clv: () => import('./ClvView.svelte'),
};

/**
 * Panels a view reads when the run has them, beyond its own and those it shows (`shownBy`,
 * which it always has): the overview summarises every panel; the customer detail opened
 * from the warning and key-customer lists shows the lifetime value.
 */
const ALSO_READS: { readonly [K in PanelId]?: readonly PanelId[] } = {
  overview: PANEL_IDS,
  warnings: ['clv'],
  key_customers: ['clv'],
};

/** Every panel whose result the view of `id` reads (the dashboard gives it these and no others). */
export function viewReads(id: PanelId): readonly PanelId[] {
  return [...new Set([...shownBy(id), ...(ALSO_READS[id] ?? [])])];
}

const loaded = new Map<PanelId, Promise<PanelView>>();

/** The view of a panel (each module is fetched once). */
export function loadView(id: PanelId): Promise<PanelView> {
  let view = loaded.get(id);
  if (view === undefined) {
    view = VIEW_REGISTRY[id]().then((m) => m.default);
    loaded.set(id, view);
    // A failed fetch (offline before the chunk was kept) may be tried again.
    view.catch(() => loaded.delete(id));
  }
  return view;
}
