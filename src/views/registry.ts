/**
 * Each panel's view, loaded when the dashboard first needs it. One line per panel of
 * `lib/analyses/registry.ts` (the type makes a missing one a compile error).
 */
import type { Component } from 'svelte';
import type { PanelId } from '../lib/analyses/index.ts';
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
