import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPrecacheManifest, injectManifest, MANIFEST_PLACEHOLDER } from '../../../src/lib/offline/precache.ts';
import { relativeToScope, staleCaches, strategyFor } from '../../../src/lib/offline/sw-strategy.ts';

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

  it('replaces the quoted placeholder, whatever the quotes, with the version and URLs', () => {
    for (const q of ['"', "'", '`']) {
      const out = injectManifest(`var m=${q}${MANIFEST_PLACEHOLDER}${q};`, manifest);
      expect(out).toBe(`var m={"version":"${manifest.version}","urls":["a.js"]};`);
    }
  });

  it('refuses a worker without the placeholder', () => {
    expect(() => injectManifest('var m=1;', manifest)).toThrow(/placeholder/);
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

  it('deletes only this app’s caches of other versions', () => {
    expect(staleCaches(['loyalty-lens-aaa', 'loyalty-lens-bbb', 'other-app-aaa'], 'bbb')).toEqual(['loyalty-lens-aaa']);
  });
});
