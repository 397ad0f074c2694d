import { describe, expect, it } from 'vitest';
import type { DbClient } from '../../../src/lib/db/client.ts';
import type { LoadReport } from '../../../src/lib/ingest/types.ts';
import { DatasetState } from '../../../src/lib/state/dataset.svelte.ts';
import type { FileInspection, IngestApi, LoadInput } from '../../../src/lib/state/ingest-api.ts';

const SHEETS = ['说明', '一月', '二月'];

/** A workbook whose sheets 一月 and 二月 hold sales (二月 with its columns in another order); 说明 only notes. */
function sheetInspection(sheet: string): FileInspection {
  const base = {
    format: 'xlsx' as const,
    sheet,
    sheets: SHEETS,
    encoding: null,
    encodingGuessed: false,
    dialect: null,
    headerLine: 1,
    ambiguous: [],
    parse: { dayMonthOrder: 'auto' as const, decimal: 'auto' as const, dedupe: false },
  };
  if (sheet === '说明') return { ...base, labels: ['销售数据导出说明'], sampleRows: [], mapping: {}, missing: ['customer', 'date', 'amount'] };
  if (sheet === '一月') return { ...base, labels: ['客户ID', '订单日期', '金额'], sampleRows: [['C1', '2024-01-02', '10']], mapping: { customer: 0, date: 1, amount: 2 }, missing: [] };
  return { ...base, labels: ['金额', '客户ID', '订单日期'], sampleRows: [['20', 'C2', '2024-02-03']], mapping: { amount: 0, customer: 1, date: 2 }, missing: [] };
}

const REPORT: LoadReport = { files: [], rows_read: 1, rows_kept: 1, rows_rejected: 0, rows_skipped: 0, rejected: [], skipped: [], warnings: [], millis: 1 };

interface Call {
  readonly sheet: string | undefined;
  release: () => void;
}

/** Inspections wait until the test releases them, so their order of completion can be chosen. */
function controlledApi(): IngestApi & { calls: Call[]; loads: (readonly LoadInput[])[] } {
  const calls: Call[] = [];
  const loads: (readonly LoadInput[])[] = [];
  return {
    calls,
    loads,
    async inspect(_file, _role, _encoding, sheet) {
      let release = () => {};
      const wait = new Promise<void>((r) => (release = r));
      calls.push({ sheet, release });
      await wait;
      return sheetInspection(sheet ?? '一月');
    },
    async load(_db, inputs) {
      loads.push(inputs);
      return REPORT;
    },
  };
}

function ready(api: IngestApi): DatasetState {
  const ds = new DatasetState(api);
  ds.setEngine({ status: 'ready', db: {} as DbClient, timings: null });
  return ds;
}

const workbook = new File(['x'], 'export.xlsx');
const tick = () => new Promise((r) => setTimeout(r, 0));

async function chosen(api: ReturnType<typeof controlledApi>): Promise<DatasetState> {
  const ds = ready(api);
  const choosing = ds.choose([workbook]);
  await tick();
  api.calls[0]?.release();
  await choosing;
  return ds;
}

describe('choosing a workbook sheet', () => {
  it('stops at the preview for a workbook with several sheets, even when its mapping is complete', async () => {
    const api = controlledApi();
    const ds = await chosen(api);
    expect(ds.status).toBe('needs-mapping');
    expect([api.calls[0]?.sheet, ds.files[0]?.sheet, ds.files[0]?.inspection?.sheet]).toEqual([undefined, null, '一月']);
    expect(api.loads).toHaveLength(0);
  });

  it('re-reads the file with the chosen sheet, takes its mapping, and loads that sheet', async () => {
    const api = controlledApi();
    const ds = await chosen(api);
    const id = ds.files[0]?.id ?? -1;
    const switching = ds.setSheet(id, '二月');
    await tick();
    expect([ds.rereading, ds.canConfirm]).toEqual([true, false]);
    api.calls[1]?.release();
    await switching;
    expect([api.calls[1]?.sheet, ds.rereading, ds.status]).toEqual(['二月', false, 'needs-mapping']);
    expect(ds.files[0]?.mapping).toEqual({ amount: 0, customer: 1, date: 2 });
    await ds.confirm();
    expect(ds.status).toBe('loaded');
    expect(api.loads[0]?.map((i) => [i.inspection.sheet, i.mapping])).toEqual([['二月', { amount: 0, customer: 1, date: 2 }]]);
  });

  it('keeps the sheet picked last when an earlier pick finishes reading after it', async () => {
    const api = controlledApi();
    const ds = await chosen(api);
    const id = ds.files[0]?.id ?? -1;
    const toNotes = ds.setSheet(id, '说明');
    const toFeb = ds.setSheet(id, '二月');
    await tick();
    api.calls[2]?.release();
    await toFeb;
    expect(ds.rereading).toBe(true);
    api.calls[1]?.release();
    await toNotes;
    expect([ds.files[0]?.sheet, ds.files[0]?.inspection?.sheet, ds.rereading, ds.canConfirm]).toEqual(['二月', '二月', false, true]);
  });

  it('cannot confirm a sheet without the required columns', async () => {
    const api = controlledApi();
    const ds = await chosen(api);
    const switching = ds.setSheet(ds.files[0]?.id ?? -1, '说明');
    await tick();
    api.calls[1]?.release();
    await switching;
    expect([ds.status, ds.canConfirm]).toEqual(['needs-mapping', false]);
  });

  it('ignores a pick of the sheet already shown', async () => {
    const api = controlledApi();
    const ds = await chosen(api);
    await ds.setSheet(ds.files[0]?.id ?? -1, '一月');
    expect(api.calls).toHaveLength(1);
  });
});
