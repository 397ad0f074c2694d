/** A finished export says so, in both languages, and the line goes away by itself. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatInteger, translate, type Locale } from '../../../src/lib/i18n/index.ts';
import { ExportNotice, NOTICE_MS, exportedMessage } from '../../../src/lib/export/notice.svelte.ts';

const message = (locale: Locale, file: string, rows: number | null) =>
  exportedMessage((k, p) => translate(locale, k, p), (n) => formatInteger(locale, n), file, rows);

describe('exportedMessage', () => {
  it('names the file and its rows', () => {
    expect(message('en', 'follow-up-churn.xlsx', 1234)).toBe('Exported follow-up-churn.xlsx (1,234 rows)');
    expect(message('zh-CN', '回访表.xlsx', 1234)).toBe('已导出 回访表.xlsx（1,234 行）');
    expect(message('en', 'lines.csv', 1)).toBe('Exported lines.csv (1 row)');
    expect(message('en', 'lines.csv', 0)).toBe('Exported lines.csv (0 rows)');
  });

  it('names only the file for an image or the report', () => {
    expect(message('en', 'revenue-trend.png', null)).toBe('Exported revenue-trend.png');
    expect(message('zh-CN', 'report.html', null)).toBe('已导出 report.html');
  });
});

describe('ExportNotice', () => {
  afterEach(() => vi.useRealTimers());

  it('shows a confirmation for a few seconds; a new one starts the time again', () => {
    vi.useFakeTimers();
    const n = new ExportNotice();
    expect(n.text).toBeNull();
    n.show('first');
    expect(n.text).toBe('first');
    vi.advanceTimersByTime(NOTICE_MS - 1000);
    n.show('second');
    vi.advanceTimersByTime(1500);
    expect(n.text).toBe('second');
    vi.advanceTimersByTime(NOTICE_MS);
    expect(n.text).toBeNull();
    n.show('third');
    n.clear();
    expect(n.text).toBeNull();
    expect(NOTICE_MS).toBeGreaterThanOrEqual(3000);
    expect(NOTICE_MS).toBeLessThanOrEqual(10_000);
  });
});
