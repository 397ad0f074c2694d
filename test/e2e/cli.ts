/**
 * The command line as the end-to-end tests run it beside the page: a script of
 * `src/cli` through tsx, from the project's root.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './harness.ts';

/** Runs `src/cli/<script>` with `args`; its standard output. */
export function runCli(script: 'analyze.ts' | 'publish.ts', args: readonly string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'cli', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `analyze … --json`, parsed. */
export function analyzeJson(args: readonly string[]): { readonly metrics: Record<string, number | null> } {
  return JSON.parse(runCli('analyze.ts', [...args, '--json'])) as { metrics: Record<string, number | null> };
}
