/**
 * One load in the page, watched: drop a file, then every 10 s the tab's PSS and what the
 * page shows (report, ingest error, busy), until the report or an error appears.
 *   npx tsx test/bench/page-load.mts FILE [--coi] [--continue]
 *   --continue: then open the dashboard and watch until the panels are drawn or an error shows.
 */
import { AppSession } from '../e2e/harness.ts';
import { PssSampler } from './pss.ts';

const file = process.argv[2] ?? '';
const session = await AppSession.start({ isolate: process.argv.includes('--coi') });
const pss = new PssSampler();
const t0 = performance.now();
try {
  await session.openApp();
  await session.page.locator('[data-testid=file-input]').waitFor({ state: 'attached', timeout: 120_000 });
  await session.dropFile(file);
  for (;;) {
    await session.page.waitForTimeout(10_000);
    const state = await session.page.evaluate(() => ({
      report: document.querySelector('[data-testid=load-report]') !== null,
      error: document.querySelector('[data-testid=ingest-error]')?.textContent?.trim().slice(0, 300) ?? null,
      busy: document.querySelector('[data-testid=busy]')?.textContent?.trim().slice(0, 120) ?? null,
    })).catch((e: unknown) => ({ report: false, error: `page: ${String(e).slice(0, 200)}`, busy: null }));
    console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  peak PSS ${pss.peakMb()} MB  ${JSON.stringify(state)}`);
    if (state.report || state.error) break;
  }
  if (process.argv.includes('--continue') && (await session.page.locator('[data-testid=continue]').count()) > 0) {
    await session.page.locator('[data-testid=continue]').first().click();
    for (;;) {
      await session.page.waitForTimeout(10_000);
      const state = await session.page
        .evaluate(() => ({
          drawn: document.querySelector('[data-testid=panel-overview] svg') !== null && document.querySelector('[data-testid=busy]') === null,
          error: document.querySelector('[role=alert]')?.textContent?.trim().slice(0, 300) ?? null,
          busy: document.querySelector('[data-testid=busy]')?.textContent?.trim().slice(0, 120) ?? null,
        }))
        .catch((e: unknown) => ({ drawn: false, error: `page: ${String(e).slice(0, 200)}`, busy: null }));
      console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  peak PSS ${pss.peakMb()} MB  ${JSON.stringify(state)}`);
      if (state.drawn || state.error) break;
    }
  }
  console.log('page errors:', session.pageErrors.slice(0, 5), 'console errors:', session.consoleErrors.slice(0, 5));
} finally {
  pss.stop();
  await session.close();
}
