import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildPrecacheManifest,
  injectManifest,
  MANIFEST_PLACEHOLDER,
  ON_DEMAND_GROUPS,
  ON_DEMAND_PLACEHOLDER,
} from '../../../src/lib/offline/precache.ts';
import { keepOfflinePaths, relativeToScope, staleCaches, strategyFor } from '../../../src/lib/offline/sw-strategy.ts';

const hash16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

describe('buildPrecacheManifest', () => {
  const files = [
    { fileName: 'index.html', content: '<html></html>' },
    { fileName: 'assets/index-AbCd1234.js', content: 'console.log(1)' },
    { fileName: 'assets/index-AbCd1234.js.map', content: '{}' },
    { fileName: 'sw.js', content: 'self' },
    { fileName: 'demo/sales.csv', content: new Uint8Array([0xe5, 0xae, 0xa2, 0x0a]) },
    { fileName: '.DS_Store', content: 'x' },
    { fileName: './favicon.svg', content: '<svg/>' },
  ];

  it('lists built and public files sorted, with SHA-256 revisions and byte sizes; no maps, no worker, no dotfiles', () => {
    const m = buildPrecacheManifest(files);
    expect(m.entries).toEqual([
      { url: 'assets/index-AbCd1234.js', revision: hash16('console.log(1)'), bytes: 14 },
      { url: 'demo/sales.csv', revision: createHash('sha256').update(new Uint8Array([0xe5, 0xae, 0xa2, 0x0a])).digest('hex').slice(0, 16), bytes: 4 },
      { url: 'favicon.svg', revision: hash16('<svg/>'), bytes: 6 },
      { url: 'index.html', revision: hash16('<html></html>'), bytes: 13 },
    ]);
    expect(m.totalBytes).toBe(14 + 4 + 6 + 13);
  });

  it('counts multi-byte text by its UTF-8 bytes', () => {
    expect(buildPrecacheManifest([{ fileName: 'a.txt', content: '客户' }]).entries[0]?.bytes).toBe(6);
  });

  it('keeps the version when nothing changes and changes it when one byte changes', () => {
    const a = buildPrecacheManifest(files);
    const b = buildPrecacheManifest([...files].reverse());
    const c = buildPrecacheManifest(files.map((f) => (f.fileName === 'index.html' ? { ...f, content: '<html> </html>' } : f)));
    expect(b.version).toBe(a.version);
    expect(c.version).not.toBe(a.version);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('puts the threads engine (coi wasm, worker, pthread worker) on demand, not in the precache; eh stays precached', () => {
    const built = [
      { fileName: 'assets/duckdb-eh-B0XkpHdx.wasm', content: 'eh-wasm' },
      { fileName: 'assets/duckdb-browser-eh.worker-Dm_1x2.js', content: 'eh-worker' },
      { fileName: 'assets/duckdb-coi-C3a-9z.wasm', content: 'coi-wasm' },
      { fileName: 'assets/duckdb-browser-coi.worker-Q1w2.js', content: 'coi-worker' },
      { fileName: 'assets/duckdb-browser-coi.pthread.worker-Zz9.js', content: 'coi-pthread' },
      { fileName: 'demo/duckdb-coi-notes.txt', content: 'not an asset' },
    ];
    const m = buildPrecacheManifest(built);
    expect(m.entries.map((e) => e.url)).toEqual([
      'assets/duckdb-browser-eh.worker-Dm_1x2.js',
      'assets/duckdb-eh-B0XkpHdx.wasm',
      'demo/duckdb-coi-notes.txt',
    ]);
    expect(m.totalBytes).toBe(9 + 7 + 12);
    expect(m.onDemand).toEqual({
      coi: [
        { url: 'assets/duckdb-browser-coi.pthread.worker-Zz9.js', revision: hash16('coi-pthread'), bytes: 11 },
        { url: 'assets/duckdb-browser-coi.worker-Q1w2.js', revision: hash16('coi-worker'), bytes: 10 },
        { url: 'assets/duckdb-coi-C3a-9z.wasm', revision: hash16('coi-wasm'), bytes: 8 },
      ],
    });
    expect(Object.keys(ON_DEMAND_GROUPS)).toEqual(['coi']);
  });

  it('changes the version when only an on-demand file changes', () => {
    const base = [
      { fileName: 'index.html', content: '<html></html>' },
      { fileName: 'assets/duckdb-coi-abc.wasm', content: 'coi 1' },
    ];
    const a = buildPrecacheManifest(base);
    const b = buildPrecacheManifest(base.map((f) => (f.fileName.endsWith('.wasm') ? { ...f, content: 'coi 2' } : f)));
    expect(b.entries).toEqual(a.entries);
    expect(b.version).not.toBe(a.version);
  });

  it('keeps the first of two files with the same path (bundle before public/)', () => {
    const m = buildPrecacheManifest([
      { fileName: 'x.js', content: 'bundle' },
      { fileName: 'x.js', content: 'public' },
    ]);
    expect(m.entries).toEqual([{ url: 'x.js', revision: hash16('bundle'), bytes: 6 }]);
  });
});

describe('injectManifest', () => {
  const manifest = buildPrecacheManifest([{ fileName: 'a.js', content: 'a' }]);

  const withCoi = buildPrecacheManifest([
    { fileName: 'a.js', content: 'a' },
    { fileName: 'assets/duckdb-coi-x1.wasm', content: 'w' },
  ]);

  it('replaces the quoted placeholders, whatever the quotes, with the version and URLs, and the on-demand groups', () => {
    for (const q of ['"', "'", '`']) {
      const out = injectManifest(`var m=${q}${MANIFEST_PLACEHOLDER}${q},d=${q}${ON_DEMAND_PLACEHOLDER}${q};`, manifest);
      expect(out).toBe(`var m={"version":"${manifest.version}","urls":["a.js"]},d={"coi":[]};`);
    }
    expect(injectManifest(`m="${MANIFEST_PLACEHOLDER}";d="${ON_DEMAND_PLACEHOLDER}"`, withCoi)).toBe(
      `m={"version":"${withCoi.version}","urls":["a.js"]};d={"coi":["assets/duckdb-coi-x1.wasm"]}`,
    );
  });

  it('refuses a worker without either placeholder', () => {
    expect(() => injectManifest('var m=1;', manifest)).toThrow(MANIFEST_PLACEHOLDER);
    expect(() => injectManifest(`var m="${MANIFEST_PLACEHOLDER}";`, manifest)).toThrow(ON_DEMAND_PLACEHOLDER);
    expect(() => injectManifest(`var d="${ON_DEMAND_PLACEHOLDER}";`, manifest)).toThrow(MANIFEST_PLACEHOLDER);
  });
});

describe('service worker strategy', () => {
  const scope = 'https://example.org/tools/lens/';
  const precached = new Set(['assets/index-AbCd1234.js', 'demo/sales.csv']);
  const req = (url: string, mode = 'no-cors', method = 'GET') => ({ url, mode, method });

  it('paths relative to the scope; null outside it', () => {
    expect(relativeToScope('https://example.org/tools/lens/assets/a.js?x=1', scope)).toBe('assets/a.js');
    expect(relativeToScope('https://example.org/tools/other/a.js', scope)).toBeNull();
    expect(relativeToScope('https://cdn.example.com/tools/lens/a.js', scope)).toBeNull();
  });

  it('page network-first, precached files cache-first, everything else untouched', () => {
    expect(strategyFor(req(`${scope}?demo&v=1`, 'navigate'), scope, precached)).toBe('shell');
    expect(strategyFor(req(`${scope}index.html`), scope, precached)).toBe('shell');
    expect(strategyFor(req(`${scope}assets/index-AbCd1234.js`, 'cors'), scope, precached)).toBe('cache');
    expect(strategyFor(req(`${scope}demo/sales.csv`), scope, precached)).toBe('cache');
    expect(strategyFor(req(`${scope}assets/missing.js`), scope, precached)).toBe('pass');
    expect(strategyFor(req(`${scope}demo/sales.csv`, 'cors', 'POST'), scope, precached)).toBe('pass');
    expect(strategyFor(req('https://other.org/tools/lens/demo/sales.csv'), scope, precached)).toBe('pass');
  });

  it('on-demand files are cache-and-fill; precached wins when listed in both', () => {
    const onDemand = new Set(['assets/duckdb-coi-x1.wasm', 'demo/sales.csv']);
    expect(strategyFor(req(`${scope}assets/duckdb-coi-x1.wasm`, 'cors'), scope, precached, onDemand)).toBe('fill');
    expect(strategyFor(req(`${scope}assets/duckdb-coi-x1.wasm?v=2`, 'same-origin'), scope, precached, onDemand)).toBe('fill');
    expect(strategyFor(req(`${scope}demo/sales.csv`), scope, precached, onDemand)).toBe('cache');
    expect(strategyFor(req(`${scope}assets/duckdb-coi-x1.wasm`, 'cors', 'POST'), scope, precached, onDemand)).toBe('pass');
    expect(strategyFor(req(`${scope}assets/duckdb-coi-x1.wasm`, 'cors'), scope, precached)).toBe('pass');
  });

  it('a KEEP_OFFLINE message names a listed group; anything else asks for nothing', () => {
    const groups = { coi: ['assets/duckdb-coi-x1.wasm', 'assets/duckdb-browser-coi.worker-y.js'] };
    expect(keepOfflinePaths({ type: 'KEEP_OFFLINE', bundle: 'coi' }, groups)).toEqual(groups.coi);
    expect(keepOfflinePaths({ type: 'KEEP_OFFLINE', bundle: 'eh' }, groups)).toBeNull();
    expect(keepOfflinePaths({ type: 'KEEP_OFFLINE', bundle: 'toString' }, groups)).toBeNull();
    expect(keepOfflinePaths({ type: 'KEEP_OFFLINE' }, groups)).toBeNull();
    expect(keepOfflinePaths('SKIP_WAITING', groups)).toBeNull();
    expect(keepOfflinePaths(null, groups)).toBeNull();
  });

  it('deletes only this app’s caches of other versions', () => {
    expect(staleCaches(['loyalty-lens-aaa', 'loyalty-lens-bbb', 'other-app-aaa'], 'bbb')).toEqual(['loyalty-lens-aaa']);
  });
});
