import { describe, expect, it } from 'vitest';
import type { DbClient } from '../../../src/lib/db/client.ts';
import { IngestError, type FileReport, type LoadReport } from '../../../src/lib/ingest/types.ts';
import { mappedOf } from '../../../src/lib/model/mapped.ts';
import {
  DatasetState,
  duplicateFields,
  labelsOf,
  mappingFromLabels,
  missingFor,
  toUiError,
} from '../../../src/lib/state/dataset.svelte.ts';
import type { FileInspection, IngestApi, LoadInput } from '../../../src/lib/state/ingest-api.ts';

const LABELS = ['客户ID', '下单时间', '实付金额', '备注'];

function inspection(patch: Partial<FileInspection> = {}): FileInspection {
  return {
    format: 'csv',
    encoding: 'gb18030',
    encodingGuessed: false,
    dialect: { delimiter: ',', quote: '"' },
    headerLine: 1,
    labels: LABELS,
    sampleRows: [['C1', '2024-01-02', '10', '']],
    mapping: { customer: 0, date: 1, amount: 2 },
    ambiguous: [],
    missing: [],
    parse: { dayMonthOrder: 'auto', decimal: 'auto', dedupe: false },
    ...patch,
  };
}

const REPORT: LoadReport = {
  files: [],
  rows_read: 3,
  rows_kept: 2,
  rows_rejected: 1,
  rows_skipped: 0,
  rejected: [{ file: 0, line: 3, reason: 'missing_customer_id' }],
  skipped: [],
  warnings: [],
  millis: 5,
};

const fakeDb = {} as DbClient;

function fakeApi(
  inspect: (file: File) => FileInspection | IngestError,
  load: (inputs: readonly LoadInput[]) => LoadReport | IngestError = () => REPORT,
): IngestApi & { loads: (readonly LoadInput[])[] } {
  const loads: (readonly LoadInput[])[] = [];
  return {
    loads,
    async inspect(file) {
      const r = inspect(file);
      if (r instanceof IngestError) throw r;
      return r;
    },
    async load(_db, inputs) {
      loads.push(inputs);
      const r = load(inputs);
      if (r instanceof IngestError) throw r;
      return r;
    },
  };
}

function ready(api: IngestApi): DatasetState {
  const ds = new DatasetState(api);
  ds.setEngine({ status: 'ready', db: fakeDb, timings: null });
  return ds;
}

const file = (name: string) => new File(['x'], name);

describe('dataset flow', () => {
  it('loads without asking when the mapping is complete and unambiguous', async () => {
    const api = fakeApi(() => inspection());
    const ds = ready(api);
    await ds.choose([file('销售.csv')]);
    await expect.poll(() => ds.status).toBe('loaded');
    expect(ds.report).toEqual(REPORT);
    expect(api.loads).toHaveLength(1);
    expect(api.loads[0]?.[0]?.mapping).toEqual({ customer: 0, date: 1, amount: 2 });
    expect(ds.mapped).toEqual({ category: false, region: false, channel: false, order: false, npsScore: false, contacts: [], unused: [] });
  });

  it('tells the run what analyze tells it: a score column named as the NPS question', async () => {
    // The page once built its own Mapped and left npsScore out, so the page's satisfaction panel
    // read a 0–10 recommendation score as a plain scale while analyze read it as NPS.
    const sales: FileReport = {
      name: 'sales.csv', bytes: 10, format: 'csv', role: 'sales', encoding: 'utf-8', encodingGuessed: false,
      dialect: { delimiter: ',', quote: '"' }, headerLine: 1, labels: ['客户ID', '下单时间', '实付金额', '推荐意愿 (NPS)', '备注'],
      mapping: { customer: 0, date: 1, amount: 2, score: 3 }, parse: { dayMonthOrder: 'auto', decimal: 'auto', dedupe: false },
      rows_read: 3, rows_kept: 2, rows_rejected: 1, rows_skipped: 0, rejectedByReason: {}, skippedByReason: {}, warnings: [],
    };
    const report: LoadReport = { ...REPORT, files: [sales] };
    const ds = ready(fakeApi(() => inspection(), () => report));
    await ds.choose([file('销售.csv')]);
    await expect.poll(() => ds.status).toBe('loaded');
    expect(ds.mapped?.npsScore).toBe(true);
    expect(ds.mapped).toEqual(mappedOf(report));
    expect(ds.mapped?.unused?.map((u) => u.label)).toEqual(['备注']);
  });

  it('loads the same files again with exact duplicates removed, from the report', async () => {
    const api = fakeApi((f) => (f.name === '调查.csv' ? inspection({ mapping: { customer: 0, score: 2 } }) : inspection()));
    const ds = ready(api);
    await ds.choose([file('销售.csv')], [file('调查.csv')]);
    await expect.poll(() => ds.status).toBe('loaded');
    expect(ds.canRemoveDuplicates).toBe(true);
    await ds.removeDuplicates();
    expect(ds.status).toBe('loaded');
    expect(api.loads).toHaveLength(2);
    expect(api.loads[1]?.map((i) => [i.role, i.parse.dedupe, i.mapping])).toEqual([
      ['sales', true, { customer: 0, date: 1, amount: 2 }],
      ['survey', false, { customer: 0, score: 2 }],
    ]);
    // Once removed there is nothing left to offer.
    expect(ds.canRemoveDuplicates).toBe(false);
  });

  it('offers no removal for data restored from the device (its files are not at hand)', () => {
    const ds = ready(fakeApi(() => inspection()));
    expect(ds.restore(REPORT)).toBe(true);
    expect(ds.canRemoveDuplicates).toBe(false);
  });

  it('asks when a required field is missing, then loads the confirmed mapping', async () => {
    const api = fakeApi(() => inspection({ mapping: { customer: 0, amount: 2 }, missing: ['date'] }));
    const ds = ready(api);
    await ds.choose([file('a.csv')]);
    expect(ds.status).toBe('needs-mapping');
    expect(ds.canConfirm).toBe(false);
    const id = ds.files[0]?.id ?? -1;
    ds.setField(id, 'date', 1);
    expect(ds.canConfirm).toBe(true);
    await ds.confirm();
    expect(ds.status).toBe('loaded');
    expect(api.loads[0]?.[0]?.mapping).toEqual({ customer: 0, amount: 2, date: 1 });
  });

  it('asks when a required field is ambiguous, until the user settles it', async () => {
    const api = fakeApi(() =>
      inspection({ mapping: { customer: 0, date: 1 }, ambiguous: [{ field: 'amount', columns: [2, 3] }], missing: [] }),
    );
    const ds = ready(api);
    await ds.choose([file('a.csv')]);
    expect(ds.status).toBe('needs-mapping');
    ds.setField(ds.files[0]?.id ?? -1, 'amount', 3);
    expect(ds.files[0]?.inspection?.ambiguous).toEqual([]);
  });

  it('shows a file error with its code and detail, and loads nothing', async () => {
    const api = fakeApi(() => new IngestError('NOT_TEXT', { kind: 'binary' }));
    const ds = ready(api);
    await ds.choose([file('x.bin')]);
    expect(ds.status).toBe('error');
    expect(ds.files[0]?.error).toEqual({ code: 'NOT_TEXT', detail: { kind: 'binary' } });
    expect(api.loads).toHaveLength(0);
  });

  it('goes back to the mapper when the load cannot decide the date order', async () => {
    const api = fakeApi(
      () => inspection(),
      () => new IngestError('AMBIGUOUS_DATE_ORDER', { examples: '03/04/2024' }),
    );
    const ds = ready(api);
    await ds.choose([file('a.csv')]);
    await expect.poll(() => ds.status).toBe('needs-mapping');
    expect(ds.error?.code).toBe('AMBIGUOUS_DATE_ORDER');
  });

  it('keeps a survey picked first and sends it with the sales file', async () => {
    const api = fakeApi((f) => (f.name === 'survey.csv' ? inspection({ mapping: { customer: 0, score: 1 } }) : inspection()));
    const ds = ready(api);
    await ds.addSurvey([file('survey.csv')]);
    expect(ds.status).toBe('idle');
    await ds.choose([file('sales.csv')]);
    await expect.poll(() => ds.status).toBe('loaded');
    expect(api.loads[0]?.map((i) => [i.file.name, i.role])).toEqual([
      ['sales.csv', 'sales'],
      ['survey.csv', 'survey'],
    ]);
  });

  it('passes a chosen encoding to the load', async () => {
    const api = fakeApi(() => inspection({ mapping: {}, missing: ['customer', 'date', 'amount'] }));
    const ds = ready(api);
    await ds.choose([file('a.csv')]);
    const id = ds.files[0]?.id ?? -1;
    await ds.setEncoding(id, 'big5');
    ds.setField(id, 'customer', 0);
    ds.setField(id, 'date', 1);
    ds.setField(id, 'amount', 2);
    await ds.confirm();
    expect(api.loads[0]?.[0]?.encoding).toBe('big5');
  });
});

describe('mapping helpers', () => {
  it('names what a sales or survey mapping still lacks', () => {
    expect(missingFor('sales', { customer: 0 })).toEqual(['date', 'amount']);
    expect(missingFor('sales', { customer: 0, date: 1, quantity: 2, unit_price: 3 })).toEqual([]);
    expect(missingFor('survey', { order: 0 })).toEqual(['score']);
    expect(missingFor('survey', { score: 1 })).toEqual(['customer']);
  });

  it('finds fields that share a column', () => {
    expect(duplicateFields({ customer: 0, date: 1, amount: 0 })).toEqual(['customer', 'amount']);
    expect(duplicateFields({ customer: 0, date: 1 })).toEqual([]);
  });

  it('round-trips a mapping through labels, and refuses one whose label is gone', () => {
    const byLabel = labelsOf({ customer: 0, amount: 2 }, LABELS);
    expect(byLabel).toEqual({ customer: '客户ID', amount: '实付金额' });
    expect(mappingFromLabels(byLabel, ['实付金额', '客户ID'])).toEqual({ customer: 1, amount: 0 });
    expect(mappingFromLabels(byLabel, ['客户ID'])).toBeNull();
  });

  it('turns any thrown value into a code the page can show', () => {
    expect(toUiError(new IngestError('TOO_LARGE', { limitMB: 1024 }))).toEqual({ code: 'TOO_LARGE', detail: { limitMB: 1024 } });
    expect(toUiError(new Error('boom'))).toEqual({ code: 'UNEXPECTED', detail: { detail: 'boom' } });
  });
});
