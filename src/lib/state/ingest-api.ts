/**
 * What the page needs from the ingest library, in the page's terms. `ingest-wiring.ts`
 * binds it to src/lib/ingest; the state classes only see this interface (and tests can
 * hand them a fake).
 */
import type { DbClient } from '../db/client.ts';
import type {
  ColumnMapping,
  Dialect,
  EncodingName,
  LoadReport,
  LoadStep,
  ParseOptions,
  Progress,
} from '../ingest/types.ts';
import type { MappingField } from '../model/schema.ts';

export type FileRole = 'sales' | 'survey';

/** The first look at one file: how it will be read, and the mapping proposed for it. */
export interface FileInspection {
  readonly format: 'csv' | 'xlsx' | 'parquet';
  /** Workbooks: the sheet that was read. */
  readonly sheet?: string;
  /** Workbooks: every worksheet, in workbook order (chart sheets hold no rows and are left out). */
  readonly sheets?: readonly string[];
  /** Workbooks: the sheet read has no filled cell (another sheet of the workbook may have). */
  readonly sheetEmpty?: boolean;
  /** null for workbooks and Parquet (no text decoding). */
  readonly encoding: EncodingName | null;
  readonly encodingGuessed: boolean;
  readonly dialect: Dialect | null;
  /** 1-based physical line of the header; 0 when there is none. */
  readonly headerLine: number;
  readonly labels: readonly string[];
  /** The first data rows as text, for the preview. */
  readonly sampleRows: readonly (readonly string[])[];
  readonly mapping: ColumnMapping;
  readonly ambiguous: readonly { readonly field: MappingField; readonly columns: readonly number[] }[];
  /** Required fields no label named, mapped to the column whose values all read as one (to confirm). */
  readonly proposed?: readonly { readonly field: MappingField; readonly column: number }[];
  readonly missing: readonly MappingField[];
  readonly parse: ParseOptions;
}

/** The load reads the sheet named in `inspection.sheet`. */
export interface LoadInput {
  readonly file: File;
  readonly role: FileRole;
  readonly inspection: FileInspection;
  readonly mapping: ColumnMapping;
  readonly parse: ParseOptions;
  /** Chosen by the user; null = detected. */
  readonly encoding: EncodingName | null;
}

export interface IngestApi {
  /**
   * Throws IngestError for a file that cannot be loaded. `sheet` names a workbook's sheet;
   * without it the default one is read (the first, or the first with the needed columns).
   */
  inspect(file: File, role: FileRole, encoding: EncodingName | null, sheet?: string): Promise<FileInspection>;
  /** Throws IngestError; reports progress as it goes, and each step's time as it ends. */
  load(db: DbClient, inputs: readonly LoadInput[], onProgress: (p: Progress) => void, onStep?: (s: LoadStep) => void): Promise<LoadReport>;
}
