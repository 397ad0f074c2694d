/**
 * One dashboard run per (dataset, settings): `loading / result / error`. A newer request
 * supersedes an older one; its late result is dropped. Results are large: `$state.raw`.
 * The dataset facts (filter choices, currencies) are read once per dataset, before its
 * first run, and kept until `clear()` (which the page calls whenever no dataset is loaded).
 */
import type { DbClient } from '../db/client.ts';
import { datasetFacts, type DashboardResult, type DatasetFacts } from '../analyses/index.ts';
import type { Mapped } from '../model/derive.ts';
import type { Settings } from '../model/settings.ts';

export type RunDashboard = (db: DbClient, settings: Settings, mapped: Mapped) => Promise<DashboardResult>;
export type ReadFacts = (db: DbClient, mapped: Mapped) => Promise<DatasetFacts>;

export class RunState {
  loading = $state(false);
  result = $state.raw<DashboardResult | null>(null);
  error = $state.raw<string | null>(null);
  facts = $state.raw<DatasetFacts | null>(null);
  private token = 0;
  private factsFor: { db: DbClient; mapped: string } | null = null;
  private factsGeneration = 0;

  constructor(
    private readonly runDashboard: RunDashboard,
    private readonly readFacts: ReadFacts | null = datasetFacts,
  ) {}

  async run(db: DbClient, settings: Settings, mapped: Mapped): Promise<void> {
    const token = ++this.token;
    this.loading = true;
    this.error = null;
    try {
      await this.ensureFacts(db, mapped);
      const result = await this.runDashboard(db, settings, mapped);
      if (token !== this.token) return;
      this.result = result;
    } catch (e) {
      if (token !== this.token) return;
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (token === this.token) this.loading = false;
    }
  }

  /** Facts are a convenience: when they cannot be read, the dashboard still runs without them. */
  private async ensureFacts(db: DbClient, mapped: Mapped): Promise<void> {
    if (this.readFacts === null) return;
    const key = JSON.stringify(mapped);
    if (this.factsFor !== null && this.factsFor.db === db && this.factsFor.mapped === key) return;
    const generation = ++this.factsGeneration;
    this.factsFor = { db, mapped: key };
    this.facts = null;
    try {
      const facts = await this.readFacts(db, mapped);
      if (generation === this.factsGeneration) this.facts = facts;
    } catch {
      if (generation === this.factsGeneration) this.factsFor = null;
    }
  }

  clear(): void {
    this.token++;
    this.loading = false;
    this.result = null;
    this.error = null;
    this.facts = null;
    this.factsFor = null;
    this.factsGeneration++;
  }
}
