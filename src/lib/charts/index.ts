/**
 * Each panel's chart cards, under its registry id (a panel without an entry is a compile
 * error). The views and the downloadable report both read these.
 */
import type { PanelId, Shown, ShownByView } from '../analyses/index.ts';
import type { Settings } from '../model/settings.ts';
import type { CardContext, ChartCardSpec } from './cards.ts';
import { clvCards } from './clv.ts';
import { overviewCards } from './overview.ts';
import { paretoCards } from './pareto.ts';
import { repurchaseCards } from './repurchase.ts';
import { retentionCards } from './retention.ts';
import { satisfactionCards } from './satisfaction.ts';
import { segmentsCards } from './segments.ts';
import { lifecycleCards } from './lifecycle.ts';
import { compositionCards } from './composition.ts';
import { warningsCards } from './warnings.ts';
import { keyCustomersCards } from './key-customers.ts';

export type { CardContext, ChartCardSpec } from './cards.ts';

/** A panel's chart cards, from a result with that panel (and those its view shows). */
export type PanelCards<K extends PanelId = PanelId> = (result: Shown<K>, settings: Settings, ctx: CardContext) => ChartCardSpec[];

export const PANEL_CARDS: { readonly [K in PanelId]: PanelCards<ShownByView<K>> } = {
  overview: overviewCards,
  pareto: paretoCards,
  repurchase: repurchaseCards,
  retention: (result, settings, ctx) => retentionCards(result, settings, ctx),
  satisfaction: satisfactionCards,
  segments: segmentsCards,
  lifecycle: lifecycleCards,
  composition: (result, settings, ctx) => compositionCards(result, settings, ctx),
  warnings: warningsCards,
  key_customers: keyCustomersCards,
  clv: clvCards,
};
