/**
 * An independent plain-TypeScript CLV summary and likelihoods (no SQL, nothing from
 * src/lib/clv): Maps and loops over the reference lines of independent.ts. Log-gamma here
 * is the Stirling series after shifting the argument above 10, not the library's Lanczos.
 */
import type { RefLine } from './independent.ts';

export interface RefClvRow {
  readonly x: number;
  /** Days. */
  readonly txDays: number;
  readonly tDays: number;
  /** Units of 1e-4 per purchase day (mean); null when x = 0 or a repeat day's net ≤ 0. */
  readonly zbar: number | null;
  readonly holdout: number;
}

const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

/**
 * Orders: keyed by order id, else by calendar day, per customer; dated by their earliest
 * line; a purchase order has net ≥ 0. Purchase days: days with a purchase order, their
 * net the sum of those orders' nets.
 */
export function referenceClvSummary(lines: readonly RefLine[], c: string, asOf: string): Map<string, RefClvRow> {
  const orders = new Map<string, { customer: string; date: string; net: number }>();
  for (const l of lines) {
    const key = `${l.customer}\u0000${l.order === null ? `d${l.date}` : `o${l.order}`}`;
    const o = orders.get(key);
    if (o) {
      o.net += l.amount;
      if (l.date < o.date) o.date = l.date;
    } else orders.set(key, { customer: l.customer, date: l.date, net: l.amount });
  }
  const days = new Map<string, Map<string, number>>();
  for (const o of orders.values()) {
    if (o.net < 0) continue;
    const m = days.get(o.customer) ?? new Map<string, number>();
    m.set(o.date, (m.get(o.date) ?? 0) + o.net);
    days.set(o.customer, m);
  }
  const out = new Map<string, RefClvRow>();
  for (const [customer, m] of days) {
    const cal = [...m.keys()].filter((d) => d <= c).sort();
    if (cal.length === 0) continue;
    const first = cal[0] as string;
    const last = cal[cal.length - 1] as string;
    const repeat = cal.slice(1).map((d) => m.get(d) as number);
    const zbar = repeat.length > 0 && repeat.every((v) => v > 0) ? repeat.reduce((s, v) => s + v, 0) / repeat.length : null;
    const holdout = [...m.keys()].filter((d) => d > c && d <= asOf).length;
    out.set(customer, {
      x: cal.length - 1,
      txDays: dayNumber(last) - dayNumber(first),
      tDays: dayNumber(c) - dayNumber(first),
      zbar,
      holdout,
    });
  }
  return out;
}

function logGamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift -= Math.log(x);
    x += 1;
  }
  const z = 1 / (x * x);
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / x) * (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z / 1680)));
}

/** BG/NBD log-likelihood (FHL 2005 eq. 6) with products over j < x instead of log-gamma. */
export function referenceBgNbdLl(p: { r: number; alpha: number; a: number; b: number }, rows: Iterable<{ x: number; tx: number; T: number }>): number {
  let ll = 0;
  for (const { x, tx, T } of rows) {
    let lr = 0;
    let l1 = 0;
    let l2 = Math.log(p.a / (p.a + p.b + x - 1));
    for (let j = 0; j < x; j++) {
      lr += Math.log(p.r + j);
      l1 += Math.log((p.b + j) / (p.a + p.b + j));
      if (j < x - 1) l2 += Math.log((p.b + j) / (p.a + p.b + j));
    }
    const e1 = l1 - (p.r + x) * Math.log(p.alpha + T);
    let li = e1;
    if (x > 0) {
      const e2 = l2 - (p.r + x) * Math.log(p.alpha + tx);
      const m = Math.max(e1, e2);
      li = m + Math.log(Math.exp(e1 - m) + Math.exp(e2 - m));
    }
    ll += lr + p.r * Math.log(p.alpha) + li;
  }
  return ll;
}

/** Gamma-Gamma log-likelihood of (x, zbar) pairs with x > 0. */
export function referenceGgLl(p: { p: number; q: number; gamma: number }, rows: Iterable<{ x: number; zbar: number }>): number {
  let ll = 0;
  for (const { x, zbar } of rows) {
    const px = p.p * x;
    ll +=
      logGamma(px + p.q) -
      logGamma(px) -
      logGamma(p.q) +
      p.q * Math.log(p.gamma) +
      px * Math.log(x) +
      (px - 1) * Math.log(zbar) -
      (px + p.q) * Math.log(p.gamma + x * zbar);
  }
  return ll;
}
