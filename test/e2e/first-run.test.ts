/**
 * The dashboard's first run shows each panel as soon as it (and the panels its view shows) is
 * done, the one on screen first: the overview's charts are up while the lifetime-value models
 * are still being fitted. A panel not reached yet shows the run's progress, never numbers; the
 * overview's headlines say their panel is being calculated until it is. Nothing is marked as
 * "the previous numbers" (there are none). A tab opened while the run goes is taken next.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeJson } from './cli.ts';
import { ROOT, useApp } from './harness.ts';

const DEMO_SALES = join(ROOT, 'public', 'demo', 'sales.csv');

interface Seen {
  /** ms since watching began at which the overview first had a chart. */
  overviewDrawn: number | null;
  /** Per panel section: when it last showed the run's progress instead of its view, and when that went. */
  readonly waiting: Record<string, number>;
  readonly drawn: Record<string, number>;
  /** The overview's headlines as they read while any panel was still waiting. */
  readonly headlines: string[];
  /** Whether the "still the previous numbers" line ever showed. */
  updating: boolean;
  /** Whether the overview's table of every key number marked a row (a panel not run yet) while panels waited. */
  keyRowsBusy: boolean;
  /** The run's steps as the page showed them, each with when it began. */
  readonly steps: { step: string; at: number }[];
  /** When the lifetime-value tab was clicked. */
  clicked: number | null;
}

describe('the first run', () => {
  const app = useApp();

  it('shows each panel as it is done, the one on screen first, and ends with every number', async () => {
    const session = app();
    // A link with the demo data opens straight on the dashboard, while the run goes.
    const page = await session.openApp('?demo');
    await page.evaluate('globalThis.__name = (f) => f');
    await page.evaluate(() => {
      const seen = { overviewDrawn: null, waiting: {}, drawn: {}, headlines: [], updating: false, keyRowsBusy: false, steps: [], clicked: null } as Seen;
      const t0 = performance.now();
      const look = (): void => {
        const now = performance.now() - t0;
        if (seen.overviewDrawn === null && document.querySelector('section[data-testid=panel-overview] svg')) seen.overviewDrawn = now;
        let anyWaiting = false;
        for (const el of document.querySelectorAll<HTMLElement>('section[data-testid^=panel-]')) {
          const id = el.dataset.testid ?? '';
          if (el.querySelector('[data-testid=panel-waiting]')) {
            seen.waiting[id] = now;
            anyWaiting = true;
          } else if (seen.waiting[id] !== undefined && seen.drawn[id] === undefined) seen.drawn[id] = now;
        }
        if (anyWaiting) {
          if (document.querySelector('[data-testid=key-numbers] tr[aria-busy=true] [data-metric=clv_customers]')) seen.keyRowsBusy = true;
          for (const h of document.querySelectorAll('[data-testid^=headline-]')) {
            const text = h.textContent ?? '';
            if (!seen.headlines.includes(text)) seen.headlines.push(text);
          }
        }
        if (document.querySelector('[data-testid=panel-updating]')) seen.updating = true;
        const step = document.querySelector('[data-step]')?.getAttribute('data-step');
        if (step && seen.steps.at(-1)?.step !== step) seen.steps.push({ step, at: now });
      };
      document.addEventListener(
        'click',
        (e) => {
          if (e.target instanceof Element && e.target.closest('[data-testid=tab-clv]')) seen.clicked ??= performance.now() - t0;
        },
        true,
      );
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      (window as unknown as { __seen: Seen }).__seen = seen;
    });

    // As soon as the overview is drawn, open the lifetime-value tab: the run takes it next.
    await page.locator('[data-testid=panel-overview] svg').first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('[data-testid=tab-clv]').click();
    await session.waitForDashboard();
    await session.waitForPanels(['overview', 'clv']);
    const seen = (await page.evaluate(() => (window as unknown as { __seen: Seen }).__seen)) as Seen;

    // The overview (on screen) was drawn while the lifetime-value panel still waited for its models.
    expect(seen.overviewDrawn).not.toBeNull();
    expect(seen.waiting['panel-clv']).toBeDefined();
    expect(seen.drawn['panel-clv']).toBeGreaterThan(seen.overviewDrawn as number);
    // The first step begun after the click was the lifetime value's (unless it had begun before).
    const clicked = seen.clicked as number;
    expect(clicked).not.toBeNull();
    const clvBegan = seen.steps.find((x) => x.step === 'clv')?.at as number;
    expect(clvBegan).toBeDefined();
    if (clvBegan > clicked) expect(seen.steps.find((x) => x.at > clicked)?.step, JSON.stringify(seen.steps)).toBe('clv');
    expect(seen.steps.at(-1)?.step).not.toBe('clv');
    // Every panel that waited was drawn in the end; none was shown with numbers it did not have.
    expect(Object.keys(seen.drawn).sort()).toEqual(Object.keys(seen.waiting).sort());
    expect(seen.updating).toBe(false);
    // A headline whose panel had not run said so (in the page's language, zh-CN: 正在计算…).
    expect(seen.headlines.some((h) => h.includes('正在计算') && h.endsWith('…'))).toBe(true);
    // So did the overview's table of key numbers, for the numbers of panels not run yet.
    expect(seen.keyRowsBusy).toBe(true);
    expect(await page.locator('[data-testid=panel-waiting]').count()).toBe(0);
    expect(await page.locator('[aria-busy=true]').count()).toBe(0);

    // The numbers it ends with are the command line's.
    const cli = analyzeJson([DEMO_SALES]).metrics;
    expect(await session.readMetric('clv_customers', '[data-testid=panel-clv]')).toBe(cli.clv_customers);
    await page.locator('[data-testid=tab-overview]').click();
    expect(await session.readMetric('customers', '[data-testid=panel-overview]')).toBe(cli.customers);
    for (const h of ['pareto', 'repurchase', 'retention', 'satisfaction']) {
      await expect(page.locator(`[data-testid=headline-${h}]`).textContent()).resolves.not.toContain('正在计算');
    }
    expect(session.pageErrors).toEqual([]);
  });
});
