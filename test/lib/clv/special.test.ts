/**
 * Special functions against known values: closed forms, and values computed with mpmath
 * 1.3.0 at 30 significant digits (`mpmath.loggamma`, `mpmath.hyp2f1`), the arguments chosen
 * where the BG/NBD model evaluates them (r + x, b + x, a + b + x − 1 with the CDNOW fit).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hyp2f1, lbeta, lgamma, logAddExp } from '../../../src/lib/clv/special.ts';

const rel = (got: number, want: number) => Math.abs(got / want - 1);

describe('lgamma', () => {
  it('matches closed forms and mpmath', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBeCloseTo(0, 14);
    expect(rel(lgamma(0.5), Math.log(Math.sqrt(Math.PI)))).toBeLessThan(1e-14);
    expect(rel(lgamma(10), Math.log(362880))).toBeLessThan(1e-14);
    const mp: [number, number][] = [
      [0.001, 6.9071788853838536617],
      [0.2426, 1.3197854750907921933],
      [1.5, -0.12078223763524522235],
      [2.4259, 0.23394149863822072847],
      [100.5, 361.43554046777762156],
      [1e5, 1051287.7089736568949],
    ];
    for (const [x, want] of mp) expect(rel(lgamma(x), want)).toBeLessThan(1e-13);
  });

  it('satisfies Γ(x+1) = xΓ(x)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (x) => {
        expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x))).toBeLessThan(1e-11 * Math.max(1, Math.abs(lgamma(x + 1))));
      }),
    );
  });

  it('is NaN outside x > 0', () => {
    expect(lgamma(0)).toBeNaN();
    expect(lgamma(-1.5)).toBeNaN();
  });

  it('gives B(a, b) = Γ(a)Γ(b)/Γ(a+b): B(2, 3) = 1/12', () => {
    expect(rel(lbeta(2, 3), Math.log(1 / 12))).toBeLessThan(1e-14);
  });
});

describe('logAddExp', () => {
  it('adds in logs without overflow', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(-2000, -2000)).toBeCloseTo(-2000 + Math.LN2, 10);
    expect(logAddExp(-Infinity, 1)).toBe(1);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms', () => {
    for (const z of [0.1, 0.5, 0.9, 0.999]) {
      expect(rel(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z)).toBeLessThan(1e-13);
      expect(rel(hyp2f1(2.5, 1.3, 1.3, z), Math.pow(1 - z, -2.5))).toBeLessThan(1e-12);
      const s = Math.sqrt(z);
      expect(rel(hyp2f1(0.5, 0.5, 1.5, z), Math.asin(s) / s)).toBeLessThan(1e-13);
    }
    expect(hyp2f1(3, 4, 5, 0)).toBe(1);
  });

  it('matches mpmath, also where the plain series first grows for hundreds of terms', () => {
    const mp: [number, number, number, number, number][] = [
      [0.2426, 2.4259, 2.2188, 0.5, 1.2067380787142852012],
      [10.2426, 12.4259, 12.2188, 0.9, 27233994881.579081553],
      [50.2426, 52.4259, 52.2188, 0.95, 4.297892647143085067e65],
      [0.2426, 2.4259, 2.2188, 0.99, 4.366371212436925352],
      [1.5, 2.5, -0.5, 0.3, -23.695494295842203123],
      [0.5, -0.3, 1.2, 0.999, 0.79910038682815817767],
      [200.24, 202.43, 202.22, 0.92, 7.4952366289894686635e219],
    ];
    for (const [a, b, c, z, want] of mp) expect(rel(hyp2f1(a, b, c, z), want)).toBeLessThan(1e-11);
  });

  it('equals the directly summed series on safe inputs', () => {
    // An independent summation in the test: term by term, fixed 400 terms, |z| ≤ 0.5.
    const direct = (a: number, b: number, c: number, z: number) => {
      let term = 1;
      let sum = 1;
      for (let n = 0; n < 400; n++) {
        term = (term * (a + n) * (b + n) * z) / ((c + n) * (n + 1));
        sum += term;
      }
      return sum;
    };
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 8, noNaN: true }),
        fc.double({ min: 0.01, max: 8, noNaN: true }),
        fc.double({ min: 0.05, max: 12, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (a, b, c, z) => {
          expect(rel(hyp2f1(a, b, c, z), direct(a, b, c, z))).toBeLessThan(1e-11);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is NaN outside 0 ≤ z < 1 and at c = 0, −1, …', () => {
    expect(hyp2f1(1, 1, 2, 1)).toBeNaN();
    expect(hyp2f1(1, 1, 2, -0.5)).toBeNaN();
    expect(hyp2f1(1, 1, -2, 0.5)).toBeNaN();
  });
});
