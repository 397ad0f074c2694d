/**
 * The special functions the BG/NBD and Gamma-Gamma models need, for real arguments:
 * log-gamma, digamma, log-beta, log-sum-exp and the Gauss hypergeometric function 2F1 on [0, 1).
 *
 * Written here rather than taken from npm: the only maintained candidates
 * (@stdlib/math-base-special-*) pull a dozen packages each, and the models only need these
 * functions on a narrow domain (positive arguments, 0 ≤ z < 1).
 */

// Lanczos approximation, g = 607/128, 15 terms (Godfrey's coefficients, as in Boost and
// numerical-recipes 3rd ed.): relative error below 1e-15 for x > 0.
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
  -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4, -0.98374475304879564677e-4,
  0.15808870322491248884e-3, -0.21026444172410488319e-3, 0.2174396181152126432e-3, -0.16431810653676389022e-3,
  0.84418223983852743293e-4, -0.2619083840158140867e-4, 0.36899182659531622704e-5,
];
const HALF_LOG_2PI = 0.91893853320467274178;

/** ln Γ(x) for x > 0 (NaN otherwise). */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === Infinity) return Infinity;
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * ψ(x) = d/dx ln Γ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series
 * (Abramowitz & Stegun 6.3.18), accurate to ~1e-15.
 */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let acc = 0;
  while (x < 6) {
    acc -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * (691 / 32760 - f / 12))))));
  return acc + Math.log(x) - 0.5 / x - series;
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0. */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** ln(e^u + e^v) without overflow or underflow. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

const MAX_TERMS = 1_000_000;

/**
 * Σ_n (a)_n (b)_n / ((c)_n n!) z^n, summed until a term no longer changes the sum. NaN
 * when it has not converged after MAX_TERMS terms.
 */
function series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_TERMS; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    const next = sum + term;
    // Stop only once the terms are shrinking: early terms can be tiny and then grow.
    if (next === sum && Math.abs((a + n + 1) * (b + n + 1) * z) < Math.abs((c + n + 1) * (n + 2))) return sum;
    sum = next;
    if (!Number.isFinite(sum)) return Number.NaN;
  }
  return Number.NaN;
}

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) for real a, b, c (c not 0, −1, −2, …)
 * and 0 ≤ z < 1.
 *
 * The series converges for |z| < 1 but, when a and b are large (they are r + x and b + x
 * for a customer with many repeat purchases), its terms first grow for about x·z/(1 − z)
 * steps. Euler's transformation 2F1(a, b; c; z) = (1 − z)^(c−a−b) 2F1(c − a, c − b; c; z)
 * gives, in the BG/NBD case, numerators that do not grow with x; whichever of the two
 * series has the smaller numerators is summed.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) return Number.NaN;
  if (c <= 0 && Number.isInteger(c)) return Number.NaN;
  if (z === 0 || a === 0 || b === 0) return 1;
  const ea = c - a;
  const eb = c - b;
  if (Math.abs(ea) + Math.abs(eb) < Math.abs(a) + Math.abs(b)) {
    return Math.exp((c - a - b) * Math.log1p(-z)) * series(ea, eb, c, z);
  }
  return series(a, b, c, z);
}
