import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/lib/i18n/en.ts';
import { zhCN } from '../../src/lib/i18n/zh-CN.ts';
import { LORENZ_POINTS } from '../../src/lib/state/published.ts';
import { analyzeJson, runCli } from './cli.ts';
import { DIST, launchChromium, PANELS, ROOT, type Panel } from './harness.ts';

const SALES = join(ROOT, 'public', 'demo', 'sales.csv');
const SURVEY = join(ROOT, 'public', 'demo', 'survey.csv');
const SUB = '/sub/dir/';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

/** A plain static server that serves `dir` under /sub/dir/ only (404 elsewhere, no headers). */
function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    if (!path.startsWith(SUB)) return res.writeHead(404).end();
    const file = normalize(join(dir, path.slice(SUB.length) || 'index.html'));
    try {
      if (!file.startsWith(dir) || !statSync(file).isFile()) throw new Error('no file');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    r({ url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}${SUB}`, server });
  }));
}

function publish(out: string, extra: string[] = []): void {
  runCli('publish.ts', [SALES, '--survey', SURVEY, '--out', out, '--page', DIST, ...extra]);
}

const analyzedMetrics = (): Record<string, number | null> => analyzeJson([SALES, '--survey', SURVEY]).metrics;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

const KPIS = ['customers', 'orders', 'revenue', 'repurchase_rate', 'top20_share', 'gini', 'retention_m1', 'active_customers'] as const;

describe('published dashboard', () => {
  let browser: Browser;
  let tmp: string;
  let expected: Record<string, number | null>;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'publish-'));
    expected = analyzedMetrics();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function open(dir: string, locale = 'en') {
    const { url, server } = await serve(dir);
    const ctx = await browser.newContext({ serviceWorkers: 'block', locale });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.locator('[data-testid=published]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=dashboard] [data-metric="customers"]').first().waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=busy]').first().waitFor({ state: 'detached', timeout: 90_000 });
    const read = async (id: string) => {
      const v = await page.locator(`[data-testid=dashboard] [data-metric="${id}"]`).first().getAttribute('data-value');
      return v === null || v === '' ? null : Number(v);
    };
    return { page, errors, read, close: async () => { await ctx.close(); server.close(); } };
  }

  /** Per panel (opened as a user would): the visible "needs customer-level rows" notices and their text. */
  async function notices(page: Page): Promise<Record<Panel | 'page', Record<string, string>>> {
    const visible = async (scope: string): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      for (const el of await page.locator(`${scope} [data-needs-rows]`).all()) {
        if (await el.isVisible()) out[(await el.getAttribute('data-needs-rows')) ?? '?'] = (await el.innerText()).trim();
      }
      return out;
    };
    const out = { page: await visible('[data-testid=published] > .frozen-notes') } as Record<Panel | 'page', Record<string, string>>;
    for (const p of PANELS) {
      await page.locator(`[data-testid=tab-${p}]`).click();
      out[p] = await visible(`[data-testid=panel-${p}]`);
    }
    return out;
  }

  /** What each panel says in aggregates mode, in one language. */
  function expectedNotices(m: Record<string, string>): Record<Panel | 'page', Record<string, string>> {
    const settings = m['pubrows.settings'] as string;
    const later = Object.fromEntries(PANELS.map((p) => [p, {}])) as Record<Panel, Record<string, string>>;
    return {
      // The panels added after these five say nothing about missing rows in aggregates mode.
      ...later,
      page: { exports: `${m['exp.title']}: ${m['pub.needsRows']}`, filters: m['pubrows.filters'] as string },
      overview: { 'overview-settings': settings },
      pareto: { 'pareto-settings': settings, curve: (m['pubrows.curve'] as string).replace('{n}', String(LORENZ_POINTS)), 'tier-export': m['pubrows.tierExport'] as string },
      repurchase: {},
      retention: { 'retention-settings': settings },
      satisfaction: { 'satisfaction-settings': settings, 'quadrant-export': m['pubrows.quadrantExport'] as string },
    };
  }

  /** Controls that would need a new query, with whether each is disabled; exports that need rows, counted. */
  async function controls(page: Page) {
    return page.evaluate(() => ({
      settings: [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-testid^="setting-"]')].map((e) => [e.dataset.testid, e.disabled] as const),
      filters: [...document.querySelectorAll<HTMLInputElement>('[data-testid=filters] input, [data-testid=filters] select')].map((e) => e.disabled),
      exports: document.querySelectorAll('[data-testid=export-run], [data-testid^=export-tier-], [data-testid^=export-quadrant-]').length,
    }));
  }

  it('Parquet mode: opens under a sub-path with the KPIs of analyze --json', async () => {
    const out = join(tmp, 'parquet');
    publish(out);
    const s = await open(out);
    expect(await s.page.locator('[data-testid=published]').getAttribute('data-mode')).toBe('parquet');
    for (const id of KPIS) expect([id, await s.read(id)]).toEqual([id, expected[id]]);
    // Every row is here: no panel says it needs them, and the controls and exports work.
    const none = { page: {}, ...Object.fromEntries(PANELS.map((p) => [p, {}])) };
    expect(await notices(s.page)).toEqual(none);
    expect(await s.page.locator('[data-needs-rows]').count()).toBe(0);
    const c = await controls(s.page);
    expect(c.settings.filter(([, disabled]) => disabled)).toEqual([]);
    expect(c.filters.length).toBeGreaterThanOrEqual(2);
    expect(c.filters.some(Boolean)).toBe(false);
    // export-run, export-tier-A/B/C, four quadrants
    expect(c.exports).toBe(8);
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('aggregates mode: no customer id in any file, and the page shows the aggregates', async () => {
    const out = join(tmp, 'aggregates');
    publish(out, ['--aggregates-only']);
    const ids = new Set(readFileSync(SALES, 'utf8').split(/\r?\n/).slice(1).map((l) => l.split(',')[1]?.trim() ?? '').filter((id) => id !== ''));
    expect(ids.size).toBeGreaterThan(1000);
    const leaks: string[] = [];
    for (const f of filesUnder(out)) {
      const text = readFileSync(f).toString('latin1');
      for (const m of text.matchAll(/C\d{5}/g)) if (ids.has(m[0])) leaks.push(`${f}: ${m[0]}`);
    }
    expect(leaks).toEqual([]);
    expect(filesUnder(out).some((f) => f.endsWith('.parquet'))).toBe(false);
    const s = await open(out);
    expect(await s.page.locator('[data-testid=published]').getAttribute('data-mode')).toBe('aggregates');
    for (const id of KPIS) expect([id, await s.read(id)]).toEqual([id, expected[id]]);
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('aggregates mode: each panel says where it needs customer rows, in both languages, and those controls are disabled', async () => {
    const out = join(tmp, 'aggregates');
    if (!existsSync(join(out, 'index.html'))) publish(out, ['--aggregates-only']);
    for (const [locale, messages] of [['en', en], ['zh-CN', zhCN]] as const) {
      const s = await open(out, locale);
      expect([locale, await notices(s.page)]).toEqual([locale, expectedNotices(messages)]);
      const c = await controls(s.page);
      // as-of, churn window ×2, top share, tier A/B, cohort period, periods (calendar/rolling), complete through K,
      // mode, measure, scale, high satisfaction, loyal minimum — and those of the later panels, all disabled too
      expect(c.settings.map(([id]) => id)).toEqual(
        expect.arrayContaining([
          'setting-as-of', 'setting-churn-window', 'setting-cohort-clock', 'setting-cohort-period', 'setting-complete-through',
          'setting-high-satisfaction', 'setting-loyal-min', 'setting-retention-churn-window',
          'setting-retention-measure', 'setting-retention-mode', 'setting-score-scale', 'setting-tier-a', 'setting-tier-b', 'setting-top-share',
        ]),
      );
      expect(c.settings.filter(([, disabled]) => !disabled)).toEqual([]);
      expect(c.filters.length).toBeGreaterThanOrEqual(2);
      expect(c.filters.every(Boolean)).toBe(true);
      expect(c.exports).toBe(0);
      expect(s.errors).toEqual([]);
      await s.close();
    }
  });
});
