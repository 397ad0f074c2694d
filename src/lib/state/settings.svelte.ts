/** The view's settings (METRICS.md defaults), replaced as a whole so that runs see a stable object. */
import { DEFAULT_SETTINGS, type Filters, type Settings } from '../model/settings.ts';
import { SETTINGS_TABLE } from '../model/settings-table.ts';

/** Settings that change no panel's result (the currency shown): a change of one runs nothing. */
const ANALYSED_KEYS = SETTINGS_TABLE.filter((d) => d.panels.length > 0).map((d) => d.key);

/** Both ask the analyses for the same results (display-only settings aside). */
export function sameAnalysis(a: Settings, b: Settings): boolean {
  return a.filters === b.filters && ANALYSED_KEYS.every((k) => a[k] === b[k]);
}

export class SettingsState {
  value = $state.raw<Settings>(DEFAULT_SETTINGS);
  #analysed: Settings = DEFAULT_SETTINGS;
  /**
   * `value`, kept as the same object while only display-only settings change, so that an
   * effect reading it (the dashboard run) does not run again for them.
   */
  readonly analysed = $derived.by((): Settings => {
    const v = this.value;
    if (!sameAnalysis(this.#analysed, v)) this.#analysed = v;
    return this.#analysed;
  });

  constructor(initial: Settings = DEFAULT_SETTINGS) {
    this.value = initial;
    this.#analysed = initial;
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
