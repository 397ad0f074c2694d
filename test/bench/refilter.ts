/**
 * A filter changed again while the dashboard still computes the last change: how long from
 * the second change until the panel on screen (the overview) shows its numbers, and until
 * every panel has. The first change is a tick of the first category value, the second its
 * untick `--after` ms later (mid-run), so the run wanted in the end is the unfiltered one.
 *
 *   npx tsx test/bench/refilter.ts [--lines 1000000] [--after 400,1500] [--runs 3] [--out-dir DIR]
 *
 * Prints each trial and the medians. The second change's run starts once the first run's
 * statement going has ended (runs never overlap; `RunState.run`).
 */
import { AppSession } from '../e2e/harness.ts';
import { salesCsv } from './files.ts';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const lines = Number(arg('lines', '1000000'));
const afters = arg('after', '400,1500').split(',').map(Number);
const runs = Number(arg('runs', '3'));
const outDir = process.argv.includes('--out-dir') ? arg('out-dir', '') : undefined;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

const file = await salesCsv(lines);
const session = await AppSession.start(outDir ? { outDir } : {});
try {
  const page = await session.openApp();
  await session.dropFile(file);
  await session.waitForReport(600_000);
  await page.locator('[data-testid=continue]').click();
  const idle = async () => {
    await page.locator('[data-testid=dashboard][aria-busy=false]').waitFor({ state: 'attached', timeout: 600_000 });
    await page.waitForFunction(() => document.querySelectorAll('[aria-busy=true]').length === 0, undefined, { timeout: 600_000 });
  };
  await session.waitForPanels(['overview'], 600_000);
  await idle();
  // The write to the device goes in slices between the user's statements: let it finish first
  // (a page that keeps its data in memory never says stored: measured without waiting, and said so).
  await page
    .locator('[data-testid=storage-indicator][data-state=stored]')
    .waitFor({ state: 'attached', timeout: 120_000 })
    .catch(() => console.log('the data was not stored on the device within 120 s: measuring with the write still going'));
  const category = page.locator('[data-testid=filters] details').filter({ hasText: '品类' }).first();
  await category.locator('summary').click();
  const box = category.locator('input[type=checkbox]').first();
  // tsx names the functions it compiles with a helper the page lacks.
  await page.evaluate('globalThis.__name = (f) => f');
  for (const after of afters) {
    const panel: number[] = [];
    const every: number[] = [];
    for (let r = 0; r < runs; r++) {
      await box.click();
      await page.waitForTimeout(after);
      const watch = page.evaluate(() => {
        const t0 = performance.now();
        return new Promise<{ panel: number; every: number }>((resolve) => {
          let panelAt = -1;
          let overviewBusy = false;
          let runBusy = false;
          // Each clock stops once what it waits for was busy since the change and is no longer.
          const check = () => {
            const overview = document.querySelector('section[data-testid=panel-overview]')?.getAttribute('aria-busy') === 'true';
            const idle = document.querySelector('[data-testid=dashboard][aria-busy=false]') !== null && document.querySelectorAll('[aria-busy=true]').length === 0;
            overviewBusy ||= overview;
            runBusy ||= !idle;
            if (panelAt < 0 && overviewBusy && !overview) panelAt = performance.now() - t0;
            if (runBusy && idle) {
              resolve({ panel: panelAt < 0 ? performance.now() - t0 : panelAt, every: performance.now() - t0 });
              return;
            }
            requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        });
      });
      await box.click();
      const t = await watch;
      panel.push(t.panel);
      every.push(t.every);
      console.log(`after ${after} ms: second change → overview ${Math.round(t.panel)} ms, every panel ${Math.round(t.every)} ms`);
      await idle();
    }
    console.log(`after ${after} ms: median overview ${Math.round(median(panel))} ms, every panel ${Math.round(median(every))} ms`);
  }
} finally {
  await session.close();
}
