/**
 * The floor: the page's own engine (the built `eh` worker and wasm, same origin, in a browser
 * of its own) reading a file with a plain `read_csv` into a table, and nothing else (no
 * decoding, checks or analyses). Driven through the worker's message protocol; the file's
 * bytes are in the page before the clock starts.
 *
 * The file reaches the page as a picked file (`setInputFiles` by path, as a user's file
 * does), so its size is bounded by the tab's memory only.
 *
 *   npx tsx test/bench/floor.ts FILE [--runs N]     (serves dist/; `npm run build` first)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, launchChromium, startPreview } from '../e2e/harness.ts';

/** Milliseconds of `CREATE TABLE t AS SELECT * FROM read_csv('input.csv')` in the page's engine, for `file` served at `serverUrl`. */
export async function floorRun(serverUrl: string, file: string, outDir = DIST): Promise<number> {
  const assets = join(outDir, 'assets');
  const names = readdirSync(assets);
  const worker = names.find((n) => /^duckdb-browser-eh\.worker-.*\.js$/.test(n));
  const wasm = names.find((n) => /^duckdb-eh-.*\.wasm$/.test(n));
  if (!worker || !wasm) throw new Error(`no eh worker or wasm in ${assets}`);
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    const crashed = new Promise<never>((_, reject) => {
      page.on('crash', () => reject(new Error('the floor\'s page crashed')));
    });
    // Any same-origin document will do: the worker must come from the server's origin.
    await page.goto(`${serverUrl}assets/${worker}`);
    // tsx keeps function names with a helper the page does not have.
    await page.evaluate('globalThis.__name = (f) => f');
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'floor-input';
      document.body.append(input);
    });
    await page.setInputFiles('#floor-input', file);
    const run = page.evaluate(
      async ({ workerUrl, wasmUrl }) => {
        const w = new Worker(workerUrl);
        let next = 1;
        const waiting = new Map<number, (m: { type: string; data: unknown }) => void>();
        w.onmessage = (e: MessageEvent<{ requestId: number; type: string; data: unknown }>) => {
          const done = waiting.get(e.data.requestId);
          if (done && e.data.type !== 'INSTANTIATE_PROGRESS' && e.data.type !== 'LOG') {
            waiting.delete(e.data.requestId);
            done(e.data);
          }
        };
        const ask = (type: string, data: unknown, transfer: Transferable[] = []) =>
          new Promise<{ type: string; data: unknown }>((resolve, reject) => {
            const id = next++;
            waiting.set(id, (m) => (m.type === 'ERROR' ? reject(new Error(JSON.stringify(m.data))) : resolve(m)));
            w.postMessage({ messageId: id, type, data }, transfer);
          });
        await ask('INSTANTIATE', [wasmUrl, null]);
        await ask('OPEN', { path: ':memory:' });
        const conn = (await ask('CONNECT', null)).data;
        const picked = (document.getElementById('floor-input') as HTMLInputElement).files?.[0];
        if (!picked) throw new Error('no file picked');
        const bytes = new Uint8Array(await picked.arrayBuffer());
        await ask('REGISTER_FILE_BUFFER', ['input.csv', bytes], [bytes.buffer]);
        const t0 = performance.now();
        await ask('RUN_QUERY', [conn, "CREATE TABLE t AS SELECT * FROM read_csv('input.csv')"]);
        const ms = performance.now() - t0;
        w.terminate();
        return ms;
      },
      { workerUrl: `${serverUrl}assets/${worker}`, wasmUrl: `${serverUrl}assets/${wasm}` },
    );
    return await Promise.race([run, crashed]);
  } finally {
    await browser.close().catch(() => undefined);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const file = argv.find((a) => !a.startsWith('--'));
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 1;
  if (!file || !(runs >= 1)) throw new Error('usage: npx tsx test/bench/floor.ts FILE [--runs N]');
  const server = await startPreview();
  try {
    for (let k = 0; k < runs; k++) console.log(`floor run ${k + 1}: ${Math.round(await floorRun(server.url, file))} ms`);
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
