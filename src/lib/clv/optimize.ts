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

/** `f` at x, writing ∇f into `grad`. */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface BfgsOptions {
  /** Converged when every |∂f/∂xᵢ| is below this. */
  readonly gTol?: number;
  readonly maxIterations?: number;
  /** Longest step in any coordinate (the parameters are logarithms: e² per step at most). */
  readonly maxStep?: number;
  readonly onIteration?: (f: number, evaluations: number) => void;
}

/**
 * BFGS with an analytic gradient and a backtracking (Armijo) line search. Much cheaper
 * than Nelder–Mead on large data: tens of evaluations instead of hundreds.
 */
export function minimizeBfgs(fg: ValueAndGradient, start: Float64Array, options: BfgsOptions = {}): MinimizeResult {
  const n = start.length;
  const gTol = options.gTol ?? 1e-8;
  const maxIterations = options.maxIterations ?? 500;
  const maxStep = options.maxStep ?? 2;
  const H = new Float64Array(n * n);
  const resetH = () => {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = 1;
  };
  resetH();
  let x: Float64Array = Float64Array.from(start);
  let g = new Float64Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const d = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);
  const maxAbs = (v: Float64Array) => v.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  if (!Number.isFinite(f)) return { x, f, evaluations, converged: false };
  let stalled = 0;
  for (let it = 0; it < maxIterations; it++) {
    if (maxAbs(g) <= gTol) return { x, f, evaluations, converged: true };
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= (H[i * n + j] as number) * (g[j] as number);
      d[i] = v;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += (d[i] as number) * (g[i] as number);
    if (!(slope < 0)) {
      resetH();
      for (let i = 0; i < n; i++) d[i] = -(g[i] as number);
      slope = -g.reduce((acc, e) => acc + e * e, 0);
    }
    // The quasi-Newton step promises a decrease of about −slope/2: once that is below the
    // rounding noise of f, no line search can make progress.
    if (-slope <= 1e-11 * (1 + Math.abs(f)) && maxAbs(g) <= gTol * 1e3) return { x, f, evaluations, converged: true };
    let t = Math.min(1, maxStep / Math.max(maxAbs(d), 1e-300));
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Infinity;
    let accepted = false;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) xNew[i] = (x[i] as number) + t * (d[i] as number);
      fNew = fg(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      // No decrease along the search direction: at the optimum to machine precision, or lost.
      return { x, f, evaluations, converged: maxAbs(g) <= gTol * 1e3 };
    }
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = (xNew[i] as number) - (x[i] as number);
      y[i] = (gNew[i] as number) - (g[i] as number);
      sy += (s[i] as number) * (y[i] as number);
    }
    if (sy > 1e-300) {
      if (it === 0) {
        // Scale the first inverse Hessian guess (Nocedal & Wright 6.20).
        const yy = y.reduce((acc, e) => acc + e * e, 0);
        resetH();
        for (let i = 0; i < n; i++) H[i * n + i] = sy / yy;
      }
      let yHy = 0;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += (H[i * n + j] as number) * (y[j] as number);
        Hy[i] = v;
        yHy += (y[i] as number) * v;
      }
      const rho = 1 / sy;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] =
            (H[i * n + j] as number) +
            (1 + yHy * rho) * rho * (s[i] as number) * (s[j] as number) -
            rho * ((Hy[i] as number) * (s[j] as number) + (s[i] as number) * (Hy[j] as number));
        }
      }
    }
    // At the optimum f stops decreasing before the gradient reaches gTol (it is summed
    // over many customers, so its last digits are noise): stop there when it is small.
    stalled = f - fNew <= 1e-14 * (1 + Math.abs(f)) ? stalled + 1 : 0;
    x = xNew;
    g = gNew;
    f = fNew;
    options.onIteration?.(f, evaluations);
    if (stalled >= 2) return { x, f, evaluations, converged: maxAbs(g) <= gTol * 1e3 };
  }
  return { x, f, evaluations, converged: maxAbs(g) <= gTol };
}

/**
 * BFGS, then Nelder–Mead from where it stopped if it did not converge (a flat or ragged
 * likelihood). Coordinates beyond ±`wall` are infeasible (+∞): the parameters are
 * logarithms, and e^±30 is far outside any fit the models accept.
 */
export function minimizeRobust(
  fg: ValueAndGradient,
  start: Float64Array,
  options: { readonly maxEvaluations?: number; readonly wall?: number; readonly onProgress?: (f: number, evaluations: number) => void } = {},
): MinimizeResult {
  const wall = options.wall ?? 30;
  const walled: ValueAndGradient = (x, grad) => {
    for (let j = 0; j < x.length; j++) if (Math.abs(x[j] as number) > wall) return Infinity;
    return fg(x, grad);
  };
  const budget = options.maxEvaluations ?? 20_000;
  const bfgs = minimizeBfgs(walled, start, {
    maxIterations: Math.min(500, budget),
    ...(options.onProgress ? { onIteration: options.onProgress } : {}),
  });
  if (bfgs.converged) return bfgs;
  const scratch = new Float64Array(start.length);
  const nm = minimize((x) => walled(x, scratch), bfgs.x, {
    maxEvaluations: Math.max(0, budget - bfgs.evaluations),
    step: 0.1,
    ...(options.onProgress ? { onRestart: options.onProgress } : {}),
  });
  return { ...nm, evaluations: nm.evaluations + bfgs.evaluations };
}
