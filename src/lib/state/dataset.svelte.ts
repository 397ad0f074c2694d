/**
 * The dataset the page works on: chosen files, their inspections and mappings, the load
 * and its report, and the engine. Components call its methods and render its fields.
 */
import type { DbClient } from '../db/client.ts';
import type { EngineTimings } from '../db/duckdb-wasm.ts';
import { headerKey, missingFields } from '../ingest/mapping.ts';
import {
  IngestError,
  type ColumnMapping,
  type EncodingName,
  type FileErrorCode,
  type LoadReport,
  type LoadStep,
  type ParseOptions,
  type Progress,
} from '../ingest/types.ts';
import type { Mapped } from '../model/derive.ts';
import { mappedOf } from '../model/mapped.ts';
import type { MappingField } from '../model/schema.ts';
import type { FileInspection, FileRole, IngestApi } from './ingest-api.ts';
import type { LabelMapping } from './url.ts';

export type DatasetStatus = 'idle' | 'inspecting' | 'needs-mapping' | 'loading' | 'loaded' | 'error';

/** An error the page can show: a code of the ingest contract (or UNEXPECTED) and its details. */
export interface UiError {
  readonly code: FileErrorCode | 'UNEXPECTED';
  readonly detail: Readonly<Record<string, string | number>>;
}

export interface FileEntry {
  readonly id: number;
  readonly file: File;
  readonly role: FileRole;
  /** Chosen by the user; null = detected. */
  encoding: EncodingName | null;
  /** A workbook's sheet chosen by the user; null = the default one. */
  sheet: string | null;
  inspection: FileInspection | null;
  mapping: ColumnMapping;
  parse: ParseOptions;
  /** True when the mapping came from one the user confirmed before for the same header. */
  remembered: boolean;
  error: UiError | null;
}

export type EngineState =
  | { readonly status: 'starting' }
  | { readonly status: 'ready'; readonly db: DbClient; readonly timings: EngineTimings | null }
  | { readonly status: 'failed'; readonly error: string };

const MAPPINGS_KEY = 'loyalty-lens.mappings';

/**
 * Keeps loaded data on this device (src/lib/offline/device.svelte.ts). The dataset calls it
 * around each load; none of its methods throws for a storage problem.
 */
export interface DatasetStore {
  /** A load is about to replace the data: forget the stored record, move the engine to the device if it can. */
  beforeLoad(): Promise<void>;
  /** The load succeeded: store its report with the data. */
  afterLoad(report: LoadReport): Promise<void>;
  /** The load failed: when storage was the cause, an engine in memory to retry with; otherwise null. */
  recover(error: unknown): Promise<DbClient | null>;
}

/** Forget every mapping remembered per header (part of Forget this data). */
export function forgetRememberedMappings(): void {
  try {
    globalThis.localStorage?.removeItem(MAPPINGS_KEY);
  } catch {
    // Storage disabled: nothing was remembered.
  }
}

export function toUiError(e: unknown): UiError {
  if (e instanceof IngestError) return { code: e.code, detail: e.detail };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'UNEXPECTED', detail: { detail: message.slice(0, 200) } };
}

/** Fields a survey file needs: a score and a key (customer or order). */
export function missingFor(role: FileRole, mapping: ColumnMapping): MappingField[] {
  if (role === 'sales') return missingFields(mapping);
  const missing: MappingField[] = [];
  if (mapping.customer === undefined && mapping.order === undefined) missing.push('customer');
  if (mapping.score === undefined) missing.push('score');
  return missing;
}

/** Fields mapped to a column that another field also uses. */
export function duplicateFields(mapping: ColumnMapping): MappingField[] {
  const byColumn = new Map<number, MappingField[]>();
  for (const [field, column] of Object.entries(mapping) as [MappingField, number | undefined][]) {
    if (column === undefined) continue;
    byColumn.set(column, [...(byColumn.get(column) ?? []), field]);
  }
  return [...byColumn.values()].filter((fields) => fields.length > 1).flat();
}

/** A stored mapping (by label) applied to a file's labels; null when a label is gone. */
export function mappingFromLabels(stored: LabelMapping, labels: readonly string[]): ColumnMapping | null {
  const mapping: Partial<Record<MappingField, number>> = {};
  for (const [field, label] of Object.entries(stored) as [MappingField, string | undefined][]) {
    if (label === undefined) continue;
    const column = labels.indexOf(label);
    if (column < 0) return null;
    mapping[field] = column;
  }
  return mapping;
}

export function labelsOf(mapping: ColumnMapping, labels: readonly string[]): LabelMapping {
  const out: LabelMapping = {};
  for (const [field, column] of Object.entries(mapping) as [MappingField, number | undefined][]) {
    const label = column === undefined ? undefined : labels[column];
    if (label !== undefined) out[field] = label;
  }
  return out;
}

function readStoredMappings(): Record<string, LabelMapping> {
  try {
    const parsed: unknown = JSON.parse(globalThis.localStorage?.getItem(MAPPINGS_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, LabelMapping>) : {};
  } catch {
    return {};
  }
}

function storeMapping(key: string, mapping: LabelMapping): void {
  try {
    const all = readStoredMappings();
    all[key] = mapping;
    globalThis.localStorage?.setItem(MAPPINGS_KEY, JSON.stringify(all));
  } catch {
    // Storage full or disabled: the mapping still applies to this load.
  }
}

export class DatasetState {
  status = $state<DatasetStatus>('idle');
  files = $state<FileEntry[]>([]);
  /** Survey files picked before any sales file. */
  pendingSurvey = $state.raw<File[]>([]);
  report = $state.raw<LoadReport | null>(null);
  progress = $state.raw<Progress | null>(null);
  /** A load-level error (file-level ones sit on each entry). */
  error = $state.raw<UiError | null>(null);
  engine = $state.raw<EngineState>({ status: 'starting' });
  /** Wall-clock ms of the last inspection of all files and of the last load (file reading included). */
  inspectMillis = $state<number | null>(null);
  loadMillis = $state<number | null>(null);
  /** The steps of the last load, as it told them (for the benchmark). */
  loadSteps: LoadStep[] = [];
  /** Mapping from the URL (a shared link), tried before the stored and automatic ones. */
  linkMapping: LabelMapping = {};
  /** True when the report and tables came back from this device rather than from a load in this visit. */
  restored = $state(false);
  /** True while a file is read again after the user changed its sheet or encoding. */
  rereading = $state(false);
  store: DatasetStore | null = null;

  private seq = 0;
  private generation = 0;
  private inspections = 0;
  /** Per file id, the newest inspection asked for: an older one that finishes later is dropped. */
  private readonly newestInspection = new Map<number, number>();
  private pendingRereads = 0;

  constructor(private readonly api: IngestApi) {}

  get db(): DbClient | null {
    return this.engine.status === 'ready' ? this.engine.db : null;
  }

  get busy(): boolean {
    return this.status === 'inspecting' || this.status === 'loading';
  }

  /** Which optional columns the loaded sales files carry (for the analyses). */
  get mapped(): Mapped | null {
    // The one builder `analyze` uses too, so the page's run reads the same columns (the NPS label included).
    return this.report ? mappedOf(this.report) : null;
  }

  /** The confirmed mapping of the first sales file, by label (for the URL); from the report when restored. */
  get labelMapping(): LabelMapping {
    const first = this.files.find((f) => f.role === 'sales' && f.inspection);
    if (first?.inspection) return labelsOf(first.mapping, first.inspection.labels);
    const reported = this.report?.files.find((f) => f.role === 'sales');
    return reported ? labelsOf(reported.mapping, reported.labels) : {};
  }

  setEngine(engine: EngineState): void {
    this.engine = engine;
  }

  reset(): void {
    this.generation++;
    this.restored = false;
    this.status = 'idle';
    this.files = [];
    this.pendingSurvey = [];
    this.report = null;
    this.progress = null;
    this.error = null;
  }

  /** New sales files (replacing any before); survey files picked earlier are kept. */
  async choose(sales: readonly File[], survey: readonly File[] = []): Promise<void> {
    const surveyFiles = survey.length > 0 ? survey : this.pendingSurvey;
    this.pendingSurvey = [];
    const entry = (file: File, role: FileRole): FileEntry => ({
      id: ++this.seq,
      file,
      role,
      encoding: null,
      sheet: null,
      inspection: null,
      mapping: {},
      parse: { dayMonthOrder: 'auto', decimal: 'auto', dedupe: false },
      remembered: false,
      error: null,
    });
    this.files = [...sales.map((f) => entry(f, 'sales')), ...surveyFiles.map((f) => entry(f, 'survey'))];
    this.report = null;
    this.error = null;
    await this.inspectAll();
  }

  /** A survey file (one; the load takes one): added to the current sales files, or kept until they are chosen. */
  async addSurvey(files: readonly File[]): Promise<void> {
    const first = files[0];
    if (!first) return;
    const sales = this.files.filter((f) => f.role === 'sales').map((f) => f.file);
    if (sales.length === 0 || this.status === 'loading') {
      this.pendingSurvey = [first];
      return;
    }
    await this.choose(sales, [first]);
  }

  private async inspectAll(): Promise<void> {
    const generation = ++this.generation;
    this.status = 'inspecting';
    const t0 = performance.now();
    for (const entry of this.files) {
      await this.inspectOne(entry);
      if (generation !== this.generation) return;
    }
    this.inspectMillis = performance.now() - t0;
    this.afterInspection();
  }

  private async inspectOne(entry: FileEntry): Promise<void> {
    const request = ++this.inspections;
    this.newestInspection.set(entry.id, request);
    const superseded = () => this.newestInspection.get(entry.id) !== request;
    try {
      const inspection = await this.api.inspect(entry.file, entry.role, entry.encoding, entry.sheet ?? undefined);
      if (superseded()) return;
      entry.inspection = inspection;
      entry.error = null;
      entry.parse = inspection.parse;
      const fromLink = entry.role === 'sales' ? mappingFromLabels(this.linkMapping, inspection.labels) : null;
      const stored = readStoredMappings()[headerKey(inspection.labels)];
      const fromStore = stored ? mappingFromLabels(stored, inspection.labels) : null;
      const chosen = fromLink && Object.keys(fromLink).length > 0 ? fromLink : fromStore;
      entry.mapping = chosen ?? { ...inspection.mapping };
      entry.remembered = chosen !== null;
    } catch (e) {
      if (superseded()) return;
      entry.inspection = null;
      entry.error = toUiError(e);
    }
  }

  /** Whether a file still needs the user: a missing or ambiguous field, or a column used twice. */
  needsUser(entry: FileEntry): boolean {
    if (!entry.inspection) return false;
    // A workbook with several sheets: the user sees which one will be loaded.
    if ((entry.inspection.sheets?.length ?? 0) > 1) return true;
    if (missingFor(entry.role, entry.mapping).length > 0) return true;
    if (duplicateFields(entry.mapping).length > 0) return true;
    if (entry.remembered) return false;
    // A column chosen by its values, not its name: the user confirms it.
    return entry.inspection.ambiguous.length > 0 || (entry.inspection.proposed?.length ?? 0) > 0;
  }

  private afterInspection(): void {
    if (this.files.some((f) => f.error)) {
      this.status = 'error';
      return;
    }
    if (this.files.some((f) => this.needsUser(f))) {
      this.status = 'needs-mapping';
      return;
    }
    void this.load();
  }

  async setEncoding(id: number, encoding: EncodingName): Promise<void> {
    const entry = this.files.find((f) => f.id === id);
    if (!entry) return;
    entry.encoding = encoding;
    await this.reinspect(entry);
  }

  /** Read another sheet of a workbook: preview, header and mapping are found afresh. */
  async setSheet(id: number, sheet: string): Promise<void> {
    const entry = this.files.find((f) => f.id === id);
    if (!entry || (entry.sheet ?? entry.inspection?.sheet) === sheet) return;
    entry.sheet = sheet;
    // A question from the last load (a date order, a mapping) was about the other sheet.
    this.error = null;
    await this.reinspect(entry);
  }

  private async reinspect(entry: FileEntry): Promise<void> {
    const generation = this.generation;
    this.pendingRereads++;
    this.rereading = true;
    try {
      await this.inspectOne(entry);
    } finally {
      this.pendingRereads--;
      this.rereading = this.pendingRereads > 0;
    }
    if (generation !== this.generation) return;
    this.status = this.files.some((f) => f.error) ? 'error' : 'needs-mapping';
  }

  setField(id: number, field: MappingField, column: number | null): void {
    const entry = this.files.find((f) => f.id === id);
    if (!entry) return;
    const next: Partial<Record<MappingField, number>> = { ...entry.mapping };
    if (column === null) delete next[field];
    else next[field] = column;
    entry.mapping = next;
    entry.remembered = false;
    // A settled choice: the field is no longer ambiguous.
    if (entry.inspection && column !== null) {
      entry.inspection = {
        ...entry.inspection,
        ambiguous: entry.inspection.ambiguous.filter((a) => a.field !== field),
      };
    }
  }

  setParse(id: number, parse: Partial<ParseOptions>): void {
    const entry = this.files.find((f) => f.id === id);
    if (entry) entry.parse = { ...entry.parse, ...parse };
  }

  /** The files of the report are at hand (not data restored from the device), so they can be loaded again. */
  get canRemoveDuplicates(): boolean {
    return this.status === 'loaded' && this.files.some((f) => f.role === 'sales' && f.inspection !== null && !f.parse.dedupe);
  }

  /** Load the same files again, with exact duplicate rows of the sales files removed (counted as skipped). */
  async removeDuplicates(): Promise<void> {
    if (!this.canRemoveDuplicates) return;
    for (const f of this.files) if (f.role === 'sales') f.parse = { ...f.parse, dedupe: true };
    await this.load();
  }

  get canConfirm(): boolean {
    return !this.rereading && this.files.every((f) => f.inspection && missingFor(f.role, f.mapping).length === 0 && duplicateFields(f.mapping).length === 0);
  }

  /** The user confirmed the mappings: remember them per header and load. */
  async confirm(): Promise<void> {
    if (!this.canConfirm) return;
    for (const f of this.files) {
      if (f.inspection) storeMapping(headerKey(f.inspection.labels), labelsOf(f.mapping, f.inspection.labels));
    }
    await this.load();
  }

  /**
   * Data kept on this device, back after a reload or on request from the first screen
   * (also after a refused file): shown as loaded. Ignored while something else is under way.
   */
  restore(report: LoadReport): boolean {
    if (this.status !== 'idle' && this.status !== 'error') return false;
    this.generation++;
    this.files = [];
    this.report = report;
    this.error = null;
    this.restored = true;
    this.status = 'loaded';
    return true;
  }

  /** From the report back to the mapping (or, for restored data with no files, to the first screen). */
  back(): void {
    if (this.files.length === 0) {
      this.reset();
      return;
    }
    this.generation++;
    this.report = null;
    this.error = null;
    this.status = 'needs-mapping';
  }

  async load(): Promise<void> {
    const generation = ++this.generation;
    this.status = 'loading';
    this.progress = null;
    this.error = null;
    const db = await this.waitForEngine();
    if (generation !== this.generation) return;
    if (!db) {
      this.error = { code: 'UNEXPECTED', detail: { detail: this.engine.status === 'failed' ? this.engine.error : 'engine' } };
      this.status = 'error';
      return;
    }
    const inputs = this.files.flatMap((f) =>
      f.inspection ? [{ file: f.file, role: f.role, inspection: $state.snapshot(f.inspection), mapping: $state.snapshot(f.mapping), parse: $state.snapshot(f.parse), encoding: f.encoding }] : [],
    );
    const t0 = performance.now();
    const onProgress = (p: Progress) => {
      if (generation === this.generation) this.progress = p;
    };
    const steps: LoadStep[] = [];
    const onStep = (s: LoadStep) => steps.push(s);
    try {
      this.restored = false;
      await this.store?.beforeLoad();
      if (generation !== this.generation) return;
      let report: LoadReport;
      try {
        report = await this.api.load(db, inputs, onProgress, onStep);
      } catch (e) {
        const inMemory = generation === this.generation ? await this.store?.recover(e) : null;
        if (!inMemory) throw e;
        steps.length = 0;
        report = await this.api.load(inMemory, inputs, onProgress, onStep);
      }
      if (generation !== this.generation) return;
      await this.store?.afterLoad(report);
      if (generation !== this.generation) return;
      this.loadMillis = performance.now() - t0;
      this.loadSteps = steps;
      this.report = report;
      this.status = 'loaded';
    } catch (e) {
      if (generation !== this.generation) return;
      const err = toUiError(e);
      // Questions the user can answer in the mapper go back there, with the question shown.
      this.error = err;
      this.status = err.code === 'AMBIGUOUS_DATE_ORDER' || err.code === 'AMBIGUOUS_COLUMN_MAPPING' || err.code === 'MISSING_REQUIRED_COLUMNS'
        ? 'needs-mapping'
        : 'error';
    } finally {
      if (generation === this.generation) this.progress = null;
    }
  }

  private async waitForEngine(): Promise<DbClient | null> {
    while (this.engine.status === 'starting') await new Promise((r) => setTimeout(r, 50));
    return this.db;
  }
}
