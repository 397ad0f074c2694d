/**
 * Multi-sheet workbooks for tests, written with write-excel-file (the app's own XLSX writer),
 * optionally with a chart sheet: a workbook entry whose relation is a chartsheet part, as
 * Excel writes when a chart is moved to its own sheet.
 */
import writeXlsxFile, { type Feature, type SheetData } from 'write-excel-file/universal';

export interface SheetSpec {
  readonly sheet: string;
  readonly data: SheetData;
}

const CHART_REL = 'rIdChart1';
const CHART_PART = 'xl/chartsheets/sheet1.xml';

/** Adds a chart sheet named `name` in front of the worksheets. */
function chartSheet(name: string): Feature<Blob> {
  const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return {
    files: {
      transform: {
        'xl/workbook.xml': {
          transform: (xml) => xml.replace('<sheets>', `<sheets><sheet r:id="${CHART_REL}" sheetId="99" name="${escaped}"/>`),
        },
        'xl/_rels/workbook.xml.rels': {
          transform: (xml) =>
            xml.replace(
              '</Relationships>',
              `<Relationship Id="${CHART_REL}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`,
            ),
        },
        '[Content_Types].xml': {
          transform: (xml) =>
            xml.replace(
              '</Types>',
              `<Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml" PartName="/${CHART_PART}"/></Types>`,
            ),
        },
      },
      write: {
        files: () => ({
          [CHART_PART]:
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr/><sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>',
        }),
      },
    },
  };
}

export async function workbookBytes(sheets: readonly SheetSpec[], options: { chartSheet?: string } = {}): Promise<Uint8Array> {
  const features = options.chartSheet === undefined ? [] : [chartSheet(options.chartSheet)];
  const blob = await writeXlsxFile(
    sheets.map((s) => ({ sheet: s.sheet, data: s.data })),
    { features },
  ).toBlob();
  return new Uint8Array(await blob.arrayBuffer());
}

/** A notes sheet: a title and two lines of text, nothing to map. */
export const NOTES: SheetSpec = {
  sheet: '说明',
  data: [['销售数据导出说明'], ['数据来源：门店 POS 系统'], ['金额单位：元，含税']],
};

/** A sales sheet with `n` orders (客户ID, 订单日期, 金额), amounts 100, 110, 120 … */
export function salesSheet(name: string, n: number): SheetSpec {
  const rows: SheetData = [['客户ID', '订单日期', '金额']];
  for (let i = 0; i < n; i++) rows.push([`C${String(i % 3).padStart(3, '0')}`, `2024-03-${String(i + 1).padStart(2, '0')}`, 100 + 10 * i]);
  return { sheet: name, data: rows };
}
