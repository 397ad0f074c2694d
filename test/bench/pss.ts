/**
 * Peak memory of the Chromium process tree: the sum of `Pss` from /proc/<pid>/smaps_rollup
 * over every Chromium process descended from this Node process, sampled every 100 ms.
 * (`performance.memory` and CDP heap metrics see only the main thread.)
 */
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Pids of Chromium processes below `root`. */
export function chromiumTree(root: number = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === null) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() ?? 0;
    for (const c of children.get(pid) ?? []) {
      if (/chrom/i.test(cmdline(c))) out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** Proportional set size of one process in KiB (0 when it is gone). */
export function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export class PssSampler {
  private peakKb = 0;
  private pids: number[] = [];
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    // Re-discover the tree now and then: renderers come and go with each page.
    if (this.ticks++ % 5 === 0) this.pids = chromiumTree();
    let kb = 0;
    for (const pid of this.pids) kb += pssKb(pid);
    if (kb > this.peakKb) this.peakKb = kb;
  }

  reset(): void {
    this.peakKb = 0;
    this.ticks = 0;
  }

  /** Peak since the last reset, in MB; null when nothing was seen (no /proc, no Chromium). */
  peakMb(): number | null {
    this.sample();
    return this.peakKb > 0 ? this.peakKb / 1024 : null;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
