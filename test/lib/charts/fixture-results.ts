/**
 * Dashboard results on the hand-made fixture (test/lib/analyses/fixture.ts) for the chart
 * card and report tests: as it is, and with a profit per line (30 % of the amount less 5)
 * so that the profit cards are drawn too. The lines carry scores, so satisfaction has cards.
 */
import { runDashboard, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import type { NodeDb } from '../../../src/lib/db/duckdb-node.ts';
import { DEFAULT_SETTINGS } from '../../../src/lib/model/settings.ts';
import { FIXTURE_LINES, loadLines } from '../analyses/fixture.ts';

const MAPPED = { category: true, region: true, channel: false, order: true } as const;

export async function fixtureResults(db: NodeDb): Promise<{ plain: DashboardResult; withProfit: DashboardResult }> {
  await loadLines(db);
  const plain = await runDashboard(db, DEFAULT_SETTINGS, MAPPED);
  const lines: Parameters<typeof loadLines>[1] = FIXTURE_LINES.map(([c, d, o, a, cat, reg, score]) => [c, d, o, a, cat, reg, score, a * 0.3 - 5]);
  await loadLines(db, lines);
  const withProfit = await runDashboard(db, DEFAULT_SETTINGS, MAPPED);
  return { plain, withProfit };
}
