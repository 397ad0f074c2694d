/**
 * Nelder–Mead minimisation (Lagarias et al. 1998 coefficients), restarted from the best
 * point until a restart no longer improves it: the models have at most four parameters,
 * and the restarts cure the simplex collapsing along the ridges their likelihoods have
 * (q and γ of the Gamma-Gamma model are strongly correlated).
 */

export interface MinimizeOptions {
  /** Stop when the spread of the simplex values is below this, relative to 1 + |best|. */
  readonly fTol?: number;
  /** … and the simplex is smaller than this in every coordinate. */
  readonly xTol?: number;
  /** Function evaluations allowed in all. */
  readonly maxEvaluations?: number;
  /** Initial step in every coordinate. */
  readonly step?: number;
  /** Called after each restart with the best value so far. */
  readonly onRestart?: (best: number, evaluations: number) => void;
}

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly evaluations: number;
  readonly converged: boolean;
}

interface Simplex {
  x: Float64Array;
  f: number;
  evaluations: number;
  converged: boolean;
}

function nelderMead(
  f: (x: Float64Array) => number,
  start: Float64Array,
  step: number,
  fTol: number,
  xTol: number,
  budget: number,
): Simplex {
  const n = start.length;
  const pts: Float64Array[] = [];
  const vals: number[] = [];
  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  pts.push(Float64Array.from(start));
  vals.push(evaluate(start));
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(start);
    p[i] = (p[i] as number) + step;
    pts.push(p);
    vals.push(evaluate(p));
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const trial = (from: Float64Array, t: number): Float64Array => {
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = (centroid[j] as number) + t * ((from[j] as number) - (centroid[j] as number));
    return out;
  };
  while (evaluations < budget) {
    order.sort((i, j) => (vals[i] as number) - (vals[j] as number));
    const best = order[0] as number;
    const worst = order[n] as number;
    const second = order[n - 1] as number;
    const fBest = vals[best] as number;
    const fWorst = vals[worst] as number;
    let size = 0;
    for (let k = 1; k <= n; k++) {
      const p = pts[order[k] as number] as Float64Array;
      for (let j = 0; j < n; j++) size = Math.max(size, Math.abs((p[j] as number) - ((pts[best] as Float64Array)[j] as number)));
    }
    if (Number.isFinite(fWorst) && fWorst - fBest <= fTol * (1 + Math.abs(fBest)) && size <= xTol) {
      return { x: pts[best] as Float64Array, f: fBest, evaluations, converged: true };
    }
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = pts[order[k] as number] as Float64Array;
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (p[j] as number) / n;
    }
    const wp = pts[worst] as Float64Array;
    const xr = trial(wp, -1);
    const fr = evaluate(xr);
    if (fr < fBest) {
      const xe = trial(wp, -2);
      const fe = evaluate(xe);
      if (fe < fr) {
        pts[worst] = xe;
        vals[worst] = fe;
      } else {
        pts[worst] = xr;
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < (vals[second] as number)) {
      pts[worst] = xr;
      vals[worst] = fr;
      continue;
    }
    const outside = fr < fWorst;
    const xc = trial(wp, outside ? -0.5 : 0.5);
    const fc = evaluate(xc);
    if (fc < (outside ? fr : fWorst)) {
      pts[worst] = xc;
      vals[worst] = fc;
      continue;
    }
    const bp = pts[best] as Float64Array;
    for (let k = 1; k <= n; k++) {
      const idx = order[k] as number;
      const p = pts[idx] as Float64Array;
      for (let j = 0; j < n; j++) p[j] = (bp[j] as number) + 0.5 * ((p[j] as number) - (bp[j] as number));
      vals[idx] = evaluate(p);
    }
  }
  order.sort((i, j) => (vals[i] as number) - (vals[j] as number));
  const b = order[0] as number;
  return { x: pts[b] as Float64Array, f: vals[b] as number, evaluations, converged: false };
}

/** Minimise `f` from `start`; `converged` is false when the budget ran out first. */
export function minimize(f: (x: Float64Array) => number, start: Float64Array, options: MinimizeOptions = {}): MinimizeResult {
  const fTol = options.fTol ?? 1e-10;
  const xTol = options.xTol ?? 1e-7;
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  let step = options.step ?? 0.5;
  let x: Float64Array = Float64Array.from(start);
  let fx = Infinity;
  let evaluations = 0;
  for (let restart = 0; restart < 20 && evaluations < maxEvaluations; restart++) {
    const s = nelderMead(f, x, step, fTol, xTol, maxEvaluations - evaluations);
    evaluations += s.evaluations;
    const improved = fx - s.f;
    x = s.x;
    fx = Math.min(fx, s.f);
    options.onRestart?.(fx, evaluations);
    if (!s.converged) return { x, f: fx, evaluations, converged: false };
    if (restart > 0 && improved <= fTol * (1 + Math.abs(fx))) return { x, f: fx, evaluations, converged: true };
    step = 0.05;
  }
  return { x, f: fx, evaluations, converged: false };
}
