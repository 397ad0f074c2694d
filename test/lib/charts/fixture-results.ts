/**
 * Dashboard results on the hand-made fixture (test/lib/analyses/fixture.ts) for the chart
 * card and report tests: as it is, and with a profit per line (30 % of the amount less 5)
 * so that the profit cards are drawn too. The lines carry scores, so satisfaction has cards.
 */
import { readFileSync } from 'node:fs';
import { runDashboard, type DashboardResult } from '../../../src/lib/analyses/index.ts';
import { inspectFile, loadDataset } from '../../../src/lib/ingest/load.ts';
import { mappedOf } from '../../../src/lib/model/mapped.ts';
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

/**
 * The CDNOW sample (test/fixtures/clv) with the calibration ending 1997-09-30: the lifetime-value
 * models fit and have a holdout, so every lifetime-value card and table is drawn.
 */
export async function cdnowResult(db: NodeDb): Promise<DashboardResult> {
  const bytes = new Uint8Array(readFileSync(new URL('../../fixtures/clv/cdnowElog.csv', import.meta.url)));
  const file = { name: 'cdnowElog.csv', bytes };
  const insp = await inspectFile(file);
  // The sample's customer is its sample id (masterid is the id in the full dataset).
  const report = await loadDataset(db, [file], { overrides: [{ mapping: { ...insp.auto.mapping, customer: insp.labels.indexOf('sampleid') } }] });
  return runDashboard(db, { ...DEFAULT_SETTINGS, calibrationEnd: '1997-09-30' }, mappedOf(report));
}
