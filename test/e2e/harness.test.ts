/**
 * The harness itself, on a stand-in page written to a temp folder (not the app): proves
 * that off-origin requests (page and worker) are recorded and aborted, that files reach
 * the input, that metrics and errors are read back, and that the server stops.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSession, FIXTURES } from './harness.ts';

const STAND_IN = `<!doctype html><html><head><meta charset="utf-8"><title>stand-in</title></head><body>
<input type="file" data-testid="file-input" multiple>
<div id="out"></div>
<script>
  fetch('https://cdn.example.invalid/lib.js').catch(() => {});
  new Worker(URL.createObjectURL(new Blob(["fetch('https://worker.example.invalid/x.wasm').catch(() => {})"])));
  fetch('./same-origin.txt');
  const input = document.querySelector('[data-testid=file-input]');
  input.addEventListener('change', async () => {
    const out = document.getElementById('out');
    out.innerHTML = '<div data-testid="busy">…</div>';
    const text = await input.files[0].text();
    await new Promise((r) => setTimeout(r, 200));
    if (text.length === 0) {
      out.innerHTML = '<p data-testid="ingest-error" data-code="EMPTY_FILE">文件是空的</p>';
      return;
    }
    const n = text.split(/\\r?\\n/).filter((l) => l !== '').length - 1;
    out.innerHTML = '<section data-testid="load-report"><span data-metric="rows_read" data-value="' + n +
      '">' + n + '</span><span data-metric="nps" data-value=""></span></section>' +
      '<div data-testid="panel-overview"><svg width="10" height="10"><rect width="10" height="10"/></svg></div>';
    console.error('stand-in error');
  });
</script></body></html>`;

describe('e2e harness (stand-in page)', () => {
  let dir = '';
  let session: AppSession;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'll-harness-'));
    await writeFile(join(dir, 'index.html'), STAND_IN);
    await writeFile(join(dir, 'same-origin.txt'), 'ok');
    session = await AppSession.start({ outDir: dir });
  });

  afterAll(async () => {
    await session?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records and aborts requests that leave the origin, from the page and from workers', async () => {
    const page = await session.openApp('demo');
    expect(page.url()).toMatch(/\?demo$/);
    await expect.poll(() => session.offOrigin.length, { timeout: 5000 }).toBe(2);
    expect([...session.offOrigin].sort()).toEqual([
      'https://cdn.example.invalid/lib.js',
      'https://worker.example.invalid/x.wasm',
    ]);
  });

  it('drops a file, waits for the report and reads metrics back', async () => {
    await session.openApp();
    await session.dropFile(join(FIXTURES, 'cdnow_head.txt'));
    await session.waitForReport();
    expect(await session.readMetric('rows_read')).toBe(4999);
    expect(await session.readMetric('nps')).toBeNull();
    expect(await session.readMetric('gini')).toBeNull();
    await session.waitForPanels(['overview']);
    expect(session.consoleErrors).toContain('stand-in error');
  });

  it('reads an ingest error with its code and message', async () => {
    await session.openApp();
    await session.dropFile(join(FIXTURES, 'empty.csv'));
    expect(await session.waitForError()).toEqual({ code: 'EMPTY_FILE', text: '文件是空的' });
  });

  it('starts each page with empty request and error lists', async () => {
    await session.openApp();
    expect(session.consoleErrors).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('tells, for a failed wait, where a page whose script never yields is stuck', async () => {
    const page = await session.openApp();
    await page.evaluate(() => {
      // A named function, so that the paused stack can be recognised.
      setTimeout(function spinsForever() {
        for (;;);
      }, 0);
    });
    const report = await session.diagnose();
    expect(report).toContain('crashed false');
    expect(report).toContain('main thread: "no answer"');
    expect(report).toMatch(/JavaScript paused at:\n {2}spinsForever /);
    // A page that is idle answers and is not paused.
    const idle = await session.openApp();
    expect(await idle.title()).toBe('stand-in');
    const calm = await session.diagnose();
    expect(calm).toContain('main thread: {"busy":null');
    expect(calm).toContain('JavaScript: not running');
  });

  it('stops the server', async () => {
    const url = session.server.url;
    await session.server.stop();
    await expect(fetch(url)).rejects.toThrow();
  });
});
