/**
 * The lifetime-value fit in the page: `fitClv` (the app's Web Worker) in headless Chromium
 * on generated summaries of 25 k and 500 k customers, with the longest main-thread task
 * during each fit (PerformanceObserver 'longtask'). The page is a small bench page built
 * from test/bench/clv-page/ with the app's own modules; the app's build is not touched.
 *
 *   npx tsx test/bench/clv-page.ts [--runs N] [--timeline cdnow|long]
 *
 * Targets: ≤ 1 s at 25 k, ≤ 10 s at 500 k, no main-thread task over 200 ms while fitting.
 */
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { build } from 'vite';
import { launchChromium, ROOT, startPreview } from '../e2e/harness.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const runs = Math.max(1, Number(arg('--runs', '3')));
const timelines = arg('--timeline', 'cdnow,long').split(',');
const SIZES = [25_000, 500_000];

interface FitTiming {
  readonly customers: number;
  readonly ms: number;
  readonly longestTaskMs: number;
  readonly longTasks: number;
  readonly r: number | null;
  readonly observed: number;
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const outDir = join(ROOT, '.bench', 'clv-page');
  await build({
    root: join(ROOT, 'test', 'bench', 'clv-page'),
    configFile: false,
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  const server = await startPreview({ outDir });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`);
    await page.locator('#status', { hasText: 'loaded' }).waitFor();
    console.log(`Chromium ${browser.version()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs each, median\n`);
    const probe = await page.evaluate(() => (window as unknown as { __clvBench: { probe: (ms: number) => Promise<number> } }).__clvBench.probe(120));
    console.log(`observer check: a 120 ms main-thread task was reported as a long task of ${probe.toFixed(0)} ms\n`);
    console.log('| timeline | customers | fitClv in the worker, ms | longest main-thread task during the fit, ms | long tasks (> 50 ms) | r |');
    console.log('|---|---:|---:|---:|---:|---:|');
    let observed = 0;
    for (const timeline of timelines) {
      for (const n of SIZES) {
        const all: FitTiming[] = [];
        for (let i = 0; i < runs; i++) {
          all.push(
            await page.evaluate(
              ([customers, tl, seed]) =>
                (window as unknown as { __clvBench: { run: (n: number, t: string, s: number) => Promise<FitTiming> } }).__clvBench.run(customers, tl, seed),
              [n, timeline, 42 + i] as const,
            ),
          );
        }
        const r = all[0]?.r;
        observed = Math.max(observed, ...all.map((t) => t.observed));
        console.log(
          `| ${timeline} | ${n.toLocaleString('en')} | ${median(all.map((t) => t.ms)).toFixed(0)} | ${median(all.map((t) => t.longestTaskMs)).toFixed(0)} (max ${Math.max(...all.map((t) => t.longestTaskMs)).toFixed(0)}) | ${median(all.map((t) => t.longTasks))} | ${r === null || r === undefined ? 'refused' : r.toFixed(4)} |`,
        );
      }
    }
    // The summaries are generated on the main thread: their long tasks show that the observer works.
    console.log(`\nlong tasks observed in all (the generation of the summaries included): ${observed}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
