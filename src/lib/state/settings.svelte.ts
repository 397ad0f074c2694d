/** The view's settings (METRICS.md defaults), replaced as a whole so that runs see a stable object. */
import { DEFAULT_SETTINGS, type Filters, type Settings } from '../model/settings.ts';

export class SettingsState {
  value = $state.raw<Settings>(DEFAULT_SETTINGS);

  constructor(initial: Settings = DEFAULT_SETTINGS) {
    this.value = initial;
  }

  update(patch: Partial<Settings>): void {
    this.value = { ...this.value, ...patch };
  }

  setFilters(patch: Partial<Filters>): void {
    this.value = { ...this.value, filters: { ...this.value.filters, ...patch } };
  }

  reset(): void {
    this.value = DEFAULT_SETTINGS;
  }
}
