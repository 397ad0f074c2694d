/**
 * What the offline and persistence tests need beyond harness.ts: browser contexts that keep
 * service workers and site storage (harness contexts block workers and start empty), a
 * persistent profile that survives closing the browser, and a look into the origin-private
 * file system. Requests off the origin are recorded and aborted, as in harness.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './harness.ts';

export interface Guarded {
  readonly context: BrowserContext;
  readonly offOrigin: string[];
  readonly pageErrors: string[];
  page(): Promise<Page>;
}

/** Records and aborts every request that leaves `origin`; collects page errors. */
export async function guard(context: BrowserContext, origin: string): Promise<Guarded> {
  const offOrigin: string[] = [];
  const pageErrors: string[] = [];
  const leaves = (url: string) => !/^(data|blob|about|chrome-extension|chrome):/i.test(url) && new URL(url).origin !== origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (!leaves(url)) return route.continue();
    offOrigin.push(url);
    return route.abort('blockedbyclient');
  });
  const watch = (p: Page) => p.on('pageerror', (err) => pageErrors.push(String(err)));
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    offOrigin,
    pageErrors,
    page: async () => context.pages()[0] ?? (await context.newPage()),
  };
}

/** A fresh Chromium profile directory; removed by `dispose`. */
export function freshProfile(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'll-profile-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Chromium on `profileDir`, service workers allowed: what a returning user has. */
export function launchProfile(profileDir: string, locale = 'zh-CN'): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    serviceWorkers: 'allow',
  });
}

/** A throw-away context with service workers allowed. */
export function workerContext(browser: Browser, locale = 'zh-CN'): Promise<BrowserContext> {
  return browser.newContext({ locale, serviceWorkers: 'allow' });
}

/** Files at the root of the page's origin-private file system, with their sizes. */
export function opfsListing(page: Page): Promise<{ name: string; kind: string; size: number }[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const out: { name: string; kind: string; size: number }[] = [];
    // entries() is not in every lib.dom version: walk with the async iterator by hand.
    const it = (root as unknown as { entries(): AsyncIterableIterator<[string, FileSystemHandle]> }).entries();
    for await (const [name, handle] of it) {
      let size = -1;
      if (handle.kind === 'file') {
        try {
          size = (await (handle as FileSystemFileHandle).getFile()).size;
        } catch {
          size = -2;
        }
      }
      out.push({ name, kind: handle.kind, size });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** The `data-value` of every `[data-metric]` in `scope`, by metric id (first occurrence). */
export async function metricValues(page: Page, scope: string): Promise<Record<string, string>> {
  return page.locator(scope).first().evaluate((el) => {
    const out: Record<string, string> = {};
    for (const m of el.querySelectorAll('[data-metric]')) {
      const id = m.getAttribute('data-metric');
      if (id && !(id in out)) out[id] = m.getAttribute('data-value') ?? '';
    }
    return out;
  });
}
