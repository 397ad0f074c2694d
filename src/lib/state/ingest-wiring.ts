/**
 * Binds the page's IngestApi to src/lib/ingest. Inspection problems the user can settle in
 * the mapper (a missing or ambiguous column) are returned as a proposal; every other
 * problem is thrown as the IngestError the page shows.
 */
import { parquetInit } from '../wasm-assets.ts';
import { DEFAULT_PARSE } from '../ingest/build-lines.ts';
import type { FileOverrides, InputFile } from '../ingest/load.ts';
import { BROWSER_MAX_LINES, checkSize, linesInMemory } from '../ingest/limits.ts';
import { IngestError } from '../ingest/types.ts';
import type { IngestApi } from './ingest-api.ts';

// parquet-wasm loads with the first Parquet file, like the reader that uses it.

/**
 * The load, fetched with the first file dropped (the first screen does not need it; it
 * kept the first screen's JavaScript under its budget, bundle.test.ts).
 */
const ingest = () => import('../ingest/load.ts');

/** Codes that mean "ask the user", not "this file cannot be loaded". */
export const ASK_USER = new Set(['MISSING_REQUIRED_COLUMNS', 'AMBIGUOUS_COLUMN_MAPPING']);

/**
 * The file itself: the load reads it as it needs it — whole, or a large text file a piece at
 * a time, never whole (load.ts `piecesFrom`) — and lets go of what it read once the rows are
 * in the engine.
 */
function input(file: File): InputFile {
  return { name: file.name, blob: file };
}

export const ingestApi: IngestApi = {
  async inspect(file, role, encoding, sheet) {
    checkSize([file]);
    const overrides: FileOverrides = { ...(encoding ? { encoding } : {}), ...(sheet !== undefined ? { sheet } : {}) };
    // The inspection keeps text only: what it read of the file goes before the load reads it again.
    const { inspectFile } = await ingest();
    const insp = await inspectFile(input(file), overrides, { role, parquetInit });
    // One empty sheet of several is a choice to change, not a file to refuse.
    const sheetEmpty = insp.error?.code === 'EMPTY_FILE' && insp.format === 'xlsx' && insp.sheets.length > 1;
    if (insp.error && !ASK_USER.has(insp.error.code) && !sheetEmpty) throw new IngestError(insp.error.code, insp.error.detail);
    return {
      format: insp.format ?? 'csv',
      ...(insp.sheet !== null ? { sheet: insp.sheet, sheets: insp.sheets } : {}),
      ...(sheetEmpty ? { sheetEmpty } : {}),
      encoding: insp.format === 'csv' ? insp.encoding : null,
      encodingGuessed: insp.encodingGuessed,
      dialect: insp.dialect,
      headerLine: insp.headerLine,
      labels: insp.labels,
      sampleRows: insp.sampleRows.slice(0, 50),
      mapping: insp.mapping,
      ambiguous: insp.auto.ambiguous,
      ...(insp.auto.proposed ? { proposed: insp.auto.proposed } : {}),
      missing: insp.auto.missing,
      parse: DEFAULT_PARSE,
    };
  },

  async load(db, inputs, onProgress, onStep) {
    const overrides = (i: (typeof inputs)[number]): FileOverrides => ({
      ...(i.encoding ? { encoding: i.encoding } : {}),
      ...(i.inspection.sheet !== undefined ? { sheet: i.inspection.sheet } : {}),
      mapping: i.mapping,
      parse: i.parse,
    });
    const sales = inputs.filter((i) => i.role === 'sales');
    const survey = inputs.find((i) => i.role === 'survey');
    checkSize(inputs.map((i) => i.file));
    const files = sales.map((i) => input(i.file));
    const surveyFile = survey ? input(survey.file) : null;
    const { loadDataset } = await ingest();
    const load = () =>
      loadDataset(db, files, {
        parquetInit,
        overrides: sales.map(overrides),
        ...(survey && surveyFile ? { survey: surveyFile, surveyOverrides: overrides(survey) } : {}),
        onProgress,
        ...(onStep ? { onStep } : {}),
        // In memory first, DeviceStorage.persistPending writes them to the device afterwards;
        // a large load's lines go straight into the database (compressed there on the device).
        linesInTemp: linesInMemory(inputs.map((i) => i.file)),
        maxLines: BROWSER_MAX_LINES,
      });
    return db.singleThreaded ? db.singleThreaded(load) : load();
  },
};
