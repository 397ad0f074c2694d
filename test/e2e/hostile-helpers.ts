/**
 * Helpers for the hostile-input browser tests: dialogs caught, every chart mark hovered,
 * every chart's table opened, downloads read back.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { PANELS, type AppSession, type Panel } from './harness.ts';

/** Records (and dismisses) every alert/confirm/prompt the page opens. */
export function watchDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  return seen;
}

/**
 * Moves the pointer over the marks of every chart in a panel (up to `limit` per panel):
 * elements inside `[aria-label]` groups and every rect, circle and path of its figures.
 * Returns how many marks the pointer visited.
 */
export async function hoverMarks(page: Page, panel: Panel, limit = 300): Promise<number> {
  const figures = page.locator(`[data-testid=panel-${panel}] figure, [data-testid=panel-${panel}] svg:not(figure svg)`);
  const count = await figures.count();
  let visited = 0;
  for (let f = 0; f < count && visited < limit; f++) {
    const fig = figures.nth(f);
    if (!(await fig.isVisible())) continue;
    await fig.scrollIntoViewIfNeeded();
    const points = await fig.evaluate((el, max) => {
      const marks = el.querySelectorAll('svg [aria-label] *, rect, circle, path');
      const out: { x: number; y: number }[] = [];
      for (const m of marks) {
        if (out.length >= max) break;
        const r = m.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        if (x >= 0 && y >= 0 && x < window.innerWidth && y < window.innerHeight) out.push({ x, y });
      }
      return out;
    }, limit - visited);
    for (const p of points) await page.mouse.move(p.x, p.y);
    visited += points.length;
  }
  return visited;
}

/** Switches every chart card of a panel to its table; returns the number of tables shown. */
export async function openTables(page: Page, panel: Panel): Promise<number> {
  const cards = page.locator(`[data-testid=panel-${panel}] [data-testid^=chart-]`);
  const n = await cards.count();
  for (let i = 0; i < n; i++) {
    const toTable = cards.nth(i).locator('[role=radio]').nth(1);
    await toTable.scrollIntoViewIfNeeded();
    await toTable.click();
  }
  return page.locator(`[data-testid=panel-${panel}] table`).count();
}

/** Opens a panel's tab as a user would and waits until the page is idle. */
export async function openPanel(session: AppSession, panel: Panel): Promise<void> {
  const tab = session.page.locator(`[data-testid=tab-${panel}]`).first();
  if ((await tab.count()) > 0 && (await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
  await session.page.locator(`[data-testid=panel-${panel}]`).first().waitFor({ state: 'visible' });
  await session.waitIdle();
}

export interface PanelVisit {
  readonly panel: Panel;
  readonly marks: number;
  readonly tables: number;
  readonly text: string;
}

/** Every panel: marks hovered, then tables opened; the panel's visible text afterwards. */
export async function visitEveryPanel(session: AppSession, limit = 300): Promise<PanelVisit[]> {
  const visits: PanelVisit[] = [];
  for (const panel of PANELS) {
    await openPanel(session, panel);
    const marks = await hoverMarks(session.page, panel, limit);
    const tables = await openTables(session.page, panel);
    const text = await session.page.locator(`[data-testid=panel-${panel}]`).first().innerText();
    visits.push({ panel, marks, tables, text });
  }
  return visits;
}

/** Clicks `trigger`, waits for the download it starts and returns its name and bytes. */
export async function download(page: Page, trigger: () => Promise<void>): Promise<{ name: string; bytes: Uint8Array }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), trigger()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: new Uint8Array(await readFile(path)) };
}
