/**
 * Peak memory of the Chromium process tree: the sum of `Pss` from /proc/<pid>/smaps_rollup
 * over every Chromium process descended from this Node process.
 * (`performance.memory` and CDP heap metrics see only the main thread.)
 *
 * Reading smaps_rollup costs ~10 ms per large process (the kernel walks its page tables),
 * so sampling it every 100 ms would itself load a 2-core machine. The sampler reads the
 * cheap resident size (statm) every 100 ms and takes a PSS reading whenever the resident
 * total climbs past the last reading's level, so the peak is caught without the cost.
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

const PAGE_KB = 4;

/** Resident set size in KiB from /proc/<pid>/statm (0 when it is gone). */
export function rssKb(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_KB;
  } catch {
    return 0;
  }
}

export class PssSampler {
  private peakKb = 0;
  private pssAtRssKb = 0;
  private lastPssAt = 0;
  private pids: number[] = [];
  private ticks = 0;
  private peakEach: { readonly pid: number; readonly kb: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(false), intervalMs);
    this.timer.unref();
  }

  private sample(force: boolean): void {
    // Re-discover the tree now and then: renderers come and go with each page.
    if (this.ticks++ % 5 === 0 || force) this.pids = chromiumTree();
    let rss = 0;
    for (const pid of this.pids) rss += rssKb(pid);
    const now = Date.now();
    if (!force && (rss <= this.pssAtRssKb * 1.02 || now - this.lastPssAt < 300)) return;
    let pss = 0;
    const each = this.pids.map((pid) => ({ pid, kb: pssKb(pid) }));
    for (const p of each) pss += p.kb;
    this.lastPssAt = now;
    this.pssAtRssKb = Math.max(this.pssAtRssKb, rss);
    if (pss > this.peakKb) {
      this.peakKb = pss;
      this.peakEach = each;
    }
  }

  /** Each process's PSS (KiB) when the peak was read, largest first. */
  peakByProcess(): readonly { readonly pid: number; readonly kb: number }[] {
    return [...this.peakEach].sort((a, b) => b.kb - a.kb);
  }

  reset(): void {
    this.peakKb = 0;
    this.peakEach = [];
    this.pssAtRssKb = 0;
    this.ticks = 0;
  }

  /** Peak since the last reset, in MB; null when nothing was seen (no /proc, no Chromium). */
  peakMb(): number | null {
    this.sample(true);
    return this.peakKb > 0 ? this.peakKb / 1024 : null;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** One process's resident memory split by mapping: the largest few mappings, and the rest. */
export interface MappingSplit {
  readonly pid: number;
  readonly pssMb: number;
  /** The largest mappings by resident size: `sizeMb` is the reserved size (a wasm memory reserves GiBs), `rssMb` what is touched. */
  readonly largest: readonly { readonly sizeMb: number; readonly rssMb: number; readonly name: string }[];
  readonly restRssMb: number;
}

/**
 * /proc/<pid>/smaps of each Chromium process, grouped: the `top` mappings by resident size
 * and the sum of the others. A wasm engine's memory is one mapping reserved far larger than
 * it is resident (V8 reserves its guard region with it), so it stands apart from the JS heaps.
 * Costs tens of ms per large process: for a watch every few seconds, not a sampler.
 */
export function mappingSplit(top = 3, pids: readonly number[] = chromiumTree()): MappingSplit[] {
  const out: MappingSplit[] = [];
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
      continue;
    }
    const maps: { sizeMb: number; rssMb: number; name: string }[] = [];
    let pss = 0;
    for (const block of text.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
      const head = block.slice(0, block.indexOf('\n'));
      const name = head.split(/\s+/).slice(5).join(' ') || '[anon]';
      const size = Number(/^Size:\s+(\d+) kB/m.exec(block)?.[1] ?? 0);
      const rss = Number(/^Rss:\s+(\d+) kB/m.exec(block)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(block)?.[1] ?? 0);
      maps.push({ sizeMb: size / 1024, rssMb: rss / 1024, name });
    }
    maps.sort((a, b) => b.rssMb - a.rssMb);
    const largest = maps.slice(0, top);
    out.push({ pid, pssMb: pss / 1024, largest, restRssMb: maps.slice(top).reduce((s, m) => s + m.rssMb, 0) });
  }
  return out.sort((a, b) => b.pssMb - a.pssMb);
}
