/**
 * Service worker: the app works offline once visited. Precaches the files the build lists
 * (the list and its version are spliced in by src/lib/offline/sw-plugin.ts), answers the
 * page network-first and every precached file cache-first, and deletes older versions'
 * caches on activate. A new version waits until the page asks it to take over
 * (SKIP_WAITING), so an analysis in progress is never interrupted.
 */
import { SHELL, cacheName, staleCaches, strategyFor } from './lib/offline/sw-strategy.ts';

interface Manifest {
  readonly version: string;
  readonly urls: readonly string[];
}

const MANIFEST = '__LOYALTY_LENS_PRECACHE__' as unknown as Manifest;
const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = cacheName(MANIFEST.version);
const PRECACHED = new Set(MANIFEST.urls);
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
});

worker.addEventListener('fetch', (event) => {
  const strategy = strategyFor(event.request, worker.registration.scope, PRECACHED);
  if (strategy === 'shell') event.respondWith(shell(event.request));
  else if (strategy === 'cache') event.respondWith(cacheFirst(event.request));
});
