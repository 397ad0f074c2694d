import { describe, expect, it } from 'vitest';
import { chooseBundle, keepOfflineMessage, platformThreads } from '../../../src/lib/db/duckdb-wasm.ts';
import { keepOfflinePaths } from '../../../src/lib/offline/sw-strategy.ts';

describe('chooseBundle', () => {
  const isolated = { crossOriginIsolated: true, sharedArrayBuffer: true, hardwareConcurrency: 2 };

  it('threads (coi) with one thread per core only on an isolated page with SharedArrayBuffer', () => {
    expect(chooseBundle(isolated)).toEqual({ name: 'coi', threads: 2 });
    expect(chooseBundle({ ...isolated, hardwareConcurrency: 16 })).toEqual({ name: 'coi', threads: 16 });
  });

  it('eh when not isolated, isolation unknown, or SharedArrayBuffer missing', () => {
    expect(chooseBundle({ ...isolated, crossOriginIsolated: false })).toEqual({ name: 'eh', threads: 1 });
    expect(chooseBundle({ ...isolated, crossOriginIsolated: undefined })).toEqual({ name: 'eh', threads: 1 });
    expect(chooseBundle({ ...isolated, sharedArrayBuffer: false })).toEqual({ name: 'eh', threads: 1 });
  });

  it('one thread when the core count is unknown or not a positive integer', () => {
    for (const hardwareConcurrency of [undefined, 0, -4, 2.5, Number.NaN]) {
      expect(chooseBundle({ ...isolated, hardwareConcurrency })).toEqual({ name: 'coi', threads: 1 });
    }
  });

  it('reads the platform from a global object', () => {
    const g = { crossOriginIsolated: true, SharedArrayBuffer: class {}, navigator: { hardwareConcurrency: 8 } };
    expect(platformThreads(g as unknown as typeof globalThis)).toEqual({
      crossOriginIsolated: true,
      sharedArrayBuffer: true,
      hardwareConcurrency: 8,
    });
    expect(platformThreads({} as unknown as typeof globalThis)).toEqual({
      crossOriginIsolated: undefined,
      sharedArrayBuffer: false,
      hardwareConcurrency: undefined,
    });
  });
});

describe('the page and the service worker agree on KEEP_OFFLINE', () => {
  it('the message the engine sends names the group the worker caches', () => {
    const groups = { coi: ['assets/duckdb-coi-x1.wasm'] };
    expect(keepOfflinePaths(keepOfflineMessage('coi'), groups)).toEqual(['assets/duckdb-coi-x1.wasm']);
  });
});
