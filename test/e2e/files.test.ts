import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Int32, Table, TimestampMicrosecond, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/esm';
import { describe, expect, it } from 'vitest';
import { parquetInit } from '../lib/export/fixture.ts';
import { expectErrorInEnglish, FIXTURES, hasCjk, ROOT, useApp } from './harness.ts';

const REPORT = '[data-testid=load-report]';

describe('dropped files', () => {
  const app = useApp();

  it('reads a GB18030 file with Chinese headers', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(FIXTURES, '01_gb18030_chinese_headers.csv'));
    await session.waitForReport();
    expect((await page.locator('[data-testid=encoding]').first().innerText()).toUpperCase()).toContain('GB18030');
    expect(await session.readMetric('rows_kept', REPORT)).toBe(8);
    expect(await session.readMetric('rows_read', REPORT)).toBe(8);
    const mapper = (await page.locator('[data-testid=column-mapping]').first().textContent()) ?? '';
    for (const label of ['客户ID', '订单日期', '金额']) expect(mapper).toContain(label);
    expect(session.pageErrors).toEqual([]);
  });

  it('reads a quoted GB18030 export with a title line, line for line', async () => {
    // Line 1 a title, 2 the quoted header; 3 "1,234.50" kept, 4 a quoted id kept, 5 an empty
    // quoted amount rejected, 6 only empty quoted cells skipped, 7 a quoted return kept,
    // 8 合计 skipped (the title too): 7 read, 3 kept, 1 rejected, 3 skipped.
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(FIXTURES, 'gb18030_quoted_title.csv'));
    await session.waitForReport();
    expect((await page.locator('[data-testid=encoding]').first().innerText()).toUpperCase()).toContain('GB18030');
    expect(await session.readMetric('rows_read', REPORT)).toBe(7);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(3);
    expect(await session.readMetric('rows_rejected', REPORT)).toBe(1);
    expect(await session.readMetric('rows_skipped', REPORT)).toBe(3);
    expect(session.pageErrors).toEqual([]);
  });

  for (const [file, code] of [
    ['random_binary.csv', 'NOT_TEXT'],
    ['empty.csv', 'EMPTY_FILE'],
  ] as const) {
    it(`refuses ${file} with ${code} and a translated message`, async () => {
      const session = app();
      const page = await session.openApp();
      await session.dropFile(join(FIXTURES, file));
      const zh = await session.waitForError();
      expect(zh.code).toBe(code);
      expect(hasCjk(zh.text)).toBe(true);
      expect(zh.text).not.toContain(code);

      await expectErrorInEnglish(page, zh.text, code);
      expect(await page.locator(REPORT).count()).toBe(0);
      expect(session.pageErrors).toEqual([]);
    });
  }

  it('reads a typed Parquet file in the engine, row group by row group, every line accounted for', async () => {
    // Five lines in three row groups: 合计 (line 3) is a summary row, skipped; line 4 pays
    // NaN, which reads as no amount (rejected, unparseable); the other three are kept.
    parquetInit();
    const table = new Table({
      客户ID: vectorFromArray(['C1', '客户乙', '合计', 'C3', 'C1'], new Utf8()),
      下单时间: vectorFromArray([Date.UTC(2024, 0, 5, 9, 30), Date.UTC(2024, 1, 29), null, Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 2)], new TimestampMicrosecond()),
      实付金额: vectorFromArray([120.5, 31.97, 152.47, Number.NaN, 0.1 + 0.2], new Float64()),
      数量: vectorFromArray([1, 2, null, 1, 3], new Int32()),
    });
    const props = new WriterPropertiesBuilder().setMaxRowGroupSize(2).build();
    const dir = join(ROOT, 'test', '.tmp');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'typed-sales.parquet');
    writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), props));

    const session = app();
    await session.openApp();
    await session.dropFile(path);
    await session.waitForReport();
    expect(await session.readMetric('rows_read', REPORT)).toBe(5);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(3);
    expect(await session.readMetric('rows_rejected', REPORT)).toBe(1);
    expect(await session.readMetric('rows_skipped', REPORT)).toBe(1);
    // By the engine, from its typed columns: not by the JavaScript reader, which gives the
    // same report (a Parquet file once fell back to it unnoticed).
    const via = await session.page.waitForFunction(() => (window as unknown as { __loyaltyLens?: { timings?: { ingest?: { via?: string[] } } } }).__loyaltyLens?.timings?.ingest?.via);
    expect(await via.jsonValue()).toEqual(['engine']);
    expect(session.pageErrors).toEqual([]);
  });

  it('reads a GB18030 file of over 128 MB a piece at a time, never whole, every line accounted for', async () => {
    // 40,000 lines of ~3.4 KB (a long GB18030 note on each): 136 MB, above the size from which
    // a text file is read in pieces. Line 2 + k: customer C{k mod 700}, amount k mod 97 (+ .5
    // on odd k); line 20,002 is a 合计 (total) line, skipped; the rest kept.
    const lines = 40_000;
    const note = Buffer.concat([Buffer.from('note '), Buffer.from(new Uint8Array(3400).fill(0xd6).map((b, i) => (i % 2 ? 0xd0 : b)))]);
    const parts: Buffer[] = [Buffer.from('customer_id,order_date,amount,note\r\n')];
    for (let k = 0; k < lines; k++) {
      const head = k === 20_000 ? Buffer.from([0xba, 0xcf, 0xbc, 0xc6]) : Buffer.from(`C${k % 700}`);
      parts.push(head, Buffer.from(`,2024-03-${String(1 + (k % 28)).padStart(2, '0')},${k % 97}${k % 2 ? '.5' : ''},`), note, Buffer.from('\r\n'));
    }
    const dir = join(ROOT, 'test', '.tmp');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'large-gb18030.csv');
    writeFileSync(path, Buffer.concat(parts));
    expect(statSync(path).size).toBeGreaterThan(128 * 1024 * 1024);

    const session = app();
    const page = await session.openApp();
    await session.dropFile(path);
    await session.waitForReport();
    expect((await page.locator('[data-testid=encoding]').first().innerText()).toUpperCase()).toContain('GB18030');
    expect(await session.readMetric('rows_read', REPORT)).toBe(lines);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(lines - 1);
    expect(await session.readMetric('rows_skipped', REPORT)).toBe(1);
    const via = await session.page.waitForFunction(() => (window as unknown as { __loyaltyLens?: { timings?: { ingest?: { via?: string[] } } } }).__loyaltyLens?.timings?.ingest?.via);
    expect(await via.jsonValue()).toEqual(['pieces']);
    expect(session.pageErrors).toEqual([]);
  }, 180_000);

  it('goes on when a read of the file stands still, as Chromium now and then does', async () => {
    const session = app();
    const page = await session.openApp();
    // The page's first read of a file's stream never answers (the stream is left to the page to cancel).
    await page.evaluate(() => {
      const w = window as unknown as { __stalled: number };
      w.__stalled = 0;
      const read = ReadableStreamBYOBReader.prototype.read;
      ReadableStreamBYOBReader.prototype.read = function (this: ReadableStreamBYOBReader, ...args: Parameters<typeof read>) {
        if (w.__stalled++ === 0) return new Promise(() => undefined);
        return read.apply(this, args);
      } as typeof read;
    });
    await session.dropFile(join(FIXTURES, 'cdnow_head.txt'));
    await session.waitForReport();
    expect(await session.readMetric('rows_read', REPORT)).toBe(4999);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(4999);
    expect(await page.evaluate(() => (window as unknown as { __stalled: number }).__stalled)).toBeGreaterThan(1);
    expect(session.pageErrors).toEqual([]);
  });

  it('reads the whitespace-separated CDNOW file (Fader & Hardie) line for line', async () => {
    const lines = readFileSync(join(FIXTURES, 'cdnow_head.txt'), 'latin1').split(/\r?\n/);
    const dataLines = lines.slice(1).filter((l) => l.trim() !== '').length;
    expect(dataLines).toBe(4999);

    const session = app();
    await session.openApp();
    await session.dropFile(join(FIXTURES, 'cdnow_head.txt'));
    await session.waitForReport();
    expect(await session.readMetric('rows_read', REPORT)).toBe(dataLines);
    expect(await session.readMetric('rows_kept', REPORT)).toBe(dataLines);
    expect(session.pageErrors).toEqual([]);
  });

  it('proposes the column whose values all read as dates when no name says date, and loads once confirmed', async () => {
    const session = app();
    const page = await session.openApp();
    await session.dropFile(join(FIXTURES, 'date_by_values.csv'));
    const notice = page.locator('[data-testid=proposed-date]');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('记录');
    await page.locator('[data-testid=confirm-mapping]').click();
    await session.waitForReport();
    expect(await session.readMetric('rows_kept', REPORT)).toBe(3);
    expect(session.pageErrors).toEqual([]);
  });
});

