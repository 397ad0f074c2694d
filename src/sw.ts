/**
 * Service worker: the app works offline once visited. Precaches the files the build lists
 * (the lists and the version are spliced in by src/lib/offline/sw-plugin.ts), answers the
 * page network-first and every precached file cache-first, and deletes older versions'
 * caches on activate. A new version waits until the page asks it to take over
 * (SKIP_WAITING), so an analysis in progress is never interrupted.
 *
 * On-demand groups (the threads engine, `coi`) are not precached: a page that runs on one
 * says so (KEEP_OFFLINE), and the worker caches the group's files then; any of them fetched
 * through the worker is cached as well. Both land in this version's cache.
 */
import { SHELL, cacheName, keepOfflinePaths, staleCaches, strategyFor } from './lib/offline/sw-strategy.ts';

interface Manifest {
  readonly version: string;
  readonly urls: readonly string[];
}

const MANIFEST = '__LOYALTY_LENS_PRECACHE__' as unknown as Manifest;
const ON_DEMAND = '__LOYALTY_LENS_ON_DEMAND__' as unknown as Readonly<Record<string, readonly string[]>>;
const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = cacheName(MANIFEST.version);
const PRECACHED = new Set(MANIFEST.urls);
const ON_DEMAND_PATHS = new Set(Object.values(ON_DEMAND).flat());
const TO_PRECACHE = [...new Set([SHELL, ...MANIFEST.urls])];
const scopeUrl = (path: string): string => new URL(path, worker.registration.scope).href;

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  // `reload`: bypass the HTTP cache, so the bytes stored match this version's list.
  await Promise.all(
    TO_PRECACHE.map(async (path) => {
      const res = await fetch(new Request(scopeUrl(path), { cache: 'reload' }));
      if (!res.ok) throw new Error(`precache ${path}: HTTP ${res.status}`);
      await cache.put(scopeUrl(path), res);
    }),
  );
}

async function shell(request: Request): Promise<Response> {
  try {
    const res = await fetch(request);
    if (res.ok) return res;
    throw new Error(`HTTP ${res.status}`);
  } catch {
    const cached = await caches.match(scopeUrl(SHELL), { cacheName: CACHE, ignoreVary: true });
    if (cached) return cached;
    return Response.error();
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE, ignoreSearch: true, ignoreVary: true });
  return cached ?? fetch(request);
}

/** Cache first; on a miss, the network's answer is returned at once and cached meanwhile. */
async function cacheAndFill(event: FetchEvent): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreSearch: true, ignoreVary: true });
  if (cached) return cached;
  const res = await fetch(event.request);
  if (res.ok && res.type === 'basic') {
    const url = new URL(event.request.url);
    url.search = '';
    event.waitUntil(cache.put(url.href, res.clone()).catch(() => undefined));
  }
  return res;
}

/** Caches the paths not cached yet (hashed names: a cached copy is the right one). */
async function keepOffline(paths: readonly string[]): Promise<void> {
  const cache = await caches.open(CACHE);
  await Promise.all(
    paths.map(async (path) => {
      if (await cache.match(scopeUrl(path), { ignoreVary: true })) return;
      const res = await fetch(scopeUrl(path));
      if (res.ok) await cache.put(scopeUrl(path), res);
    }),
  );
}

worker.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await Promise.all(staleCaches(await caches.keys(), MANIFEST.version).map((n) => caches.delete(n)));
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('message', (event) => {
  if (event.data === 'SKIP_WAITING') void worker.skipWaiting();
  const keep = keepOfflinePaths(event.data, ON_DEMAND);
  if (keep) event.waitUntil(keepOffline(keep).catch(() => undefined));
});

worker.addEventListener('fetch', (event) => {
  const strategy = strategyFor(event.request, worker.registration.scope, PRECACHED, ON_DEMAND_PATHS);
  if (strategy === 'shell') event.respondWith(shell(event.request));
  else if (strategy === 'cache') event.respondWith(cacheFirst(event.request));
  else if (strategy === 'fill') event.respondWith(cacheAndFill(event));
});
