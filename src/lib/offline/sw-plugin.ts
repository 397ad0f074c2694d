/**
 * Vite build plugin: bundles src/sw.ts as `sw.js` at the root of the output (its scope is
 * then the whole site, whatever the sub-path) and splices in the precache list of every
 * file the build writes, public/ included, with content hashes. Build only: `vite dev`
 * has no service worker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { buildPrecacheManifest, injectManifest, type BuiltFile } from './precache.ts';

export const SW_FILE = 'sw.js';

/** Every file under `dir`, with paths relative to it (forward slashes). */
export function listFiles(dir: string): BuiltFile[] {
  const out: BuiltFile[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) out.push({ fileName: relative(dir, path).split(sep).join('/'), content: readFileSync(path) });
    }
  };
  walk(dir);
  return out;
}

export function serviceWorker(options: { entry: string }): Plugin {
  let publicDir = '';
  return {
    name: 'loyalty-lens:service-worker',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: options.entry, fileName: SW_FILE });
    },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const sw = bundle[SW_FILE];
        if (!sw || sw.type !== 'chunk') {
          this.error(`${SW_FILE} is missing from the bundle`);
        }
        if (sw.imports.length > 0) {
          // A classic service worker cannot import chunks: src/sw.ts must share no module with the page.
          this.error(`${SW_FILE} imports ${sw.imports.join(', ')}`);
        }
        const files: BuiltFile[] = Object.values(bundle)
          .filter((o) => o.fileName !== SW_FILE)
          .map((o) => ({ fileName: o.fileName, content: o.type === 'chunk' ? o.code : o.source }));
        sw.code = injectManifest(sw.code, buildPrecacheManifest([...files, ...listFiles(publicDir)]));
      },
    },
  };
}
