/**
 * One dashboard run per (dataset, settings): `loading / result / error`. A newer request
 * supersedes an older one; its late result is dropped. Results are large: `$state.raw`.
 */
import type { DbClient } from '../db/client.ts';
import type { DashboardResult } from '../analyses/index.ts';
import type { Mapped } from '../model/derive.ts';
import type { Settings } from '../model/settings.ts';

export type RunDashboard = (db: DbClient, settings: Settings, mapped: Mapped) => Promise<DashboardResult>;

export class RunState {
  loading = $state(false);
  result = $state.raw<DashboardResult | null>(null);
  error = $state.raw<string | null>(null);
  private token = 0;

  constructor(private readonly runDashboard: RunDashboard) {}

  async run(db: DbClient, settings: Settings, mapped: Mapped): Promise<void> {
    const token = ++this.token;
    this.loading = true;
    this.error = null;
    try {
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

  clear(): void {
    this.token++;
    this.loading = false;
    this.result = null;
    this.error = null;
  }
}
