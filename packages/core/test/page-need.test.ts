import { describe, expect, it } from 'vitest';
import { DEFAULT_SLOPE_THRESHOLD, HitRatioCurve, InvalidOptionError, pageNeed } from '@cvhrc/core';

/** Piecewise-linear curve through the corners, sampled every `step` pages. */
function polyline(corners: [number, number][], step: number): HitRatioCurve {
  const xs: number[] = [];
  const ys: number[] = [];
  const last = corners[corners.length - 1]![0];
  for (let x = step; x <= last; x += step) {
    let k = 0;
    while (corners[k + 1]![0] < x) k++;
    const [x0, y0] = corners[k]!;
    const [x1, y1] = corners[k + 1]!;
    xs.push(x);
    ys.push(y0 + ((y1 - y0) * (x - x0)) / (x1 - x0));
  }
  return HitRatioCurve.fromArrays(xs, ys);
}

describe('pageNeed, slope method', () => {
  // Rises 0.9 over 1000 pages (9e-4 per page), then 0.005 over 9000 (5.6e-7 per page).
  const elbow = polyline(
    [
      [0, 0],
      [1000, 0.9],
      [10000, 0.905],
    ],
    250,
  );

  it('finds the elbow with the default threshold', () => {
    expect(DEFAULT_SLOPE_THRESHOLD).toBe(1e-5);
    expect(pageNeed(elbow)).toBe(1000);
    expect(pageNeed(elbow, { method: 'slope' })).toBe(1000);
  });

  it('moves with the threshold', () => {
    expect(pageNeed(elbow, { threshold: 1e-7 })).toBe(10000); // the tail still counts as rising
    expect(pageNeed(elbow, { threshold: 1e-3 })).toBe(0); // nothing is steep enough
  });

  it('reads the step from the origin to the first point', () => {
    const c = HitRatioCurve.fromPoints([
      { size: 100, hitRatio: 0.8 },
      { size: 200, hitRatio: 0.8 },
    ]);
    expect(pageNeed(c)).toBe(100);
    expect(pageNeed(HitRatioCurve.fromPoints([]))).toBe(0);
    expect(pageNeed(HitRatioCurve.fromPoints([{ size: 0, hitRatio: 0 }]))).toBe(0);
  });

  it('takes the last steep segment, so a second rise counts', () => {
    const twoSteps = polyline(
      [
        [0, 0],
        [1000, 0.5],
        [5000, 0.5],
        [6000, 0.9],
        [20000, 0.9],
      ],
      500,
    );
    expect(pageNeed(twoSteps)).toBe(6000);
  });

  it('rejects a bad threshold or method', () => {
    expect(() => pageNeed(elbow, { threshold: 0 })).toThrow(InvalidOptionError);
    expect(() => pageNeed(elbow, { threshold: Number.NaN })).toThrow(InvalidOptionError);
    expect(() => pageNeed(elbow, { method: 'other' as 'slope' })).toThrow(InvalidOptionError);
  });
});

describe('pageNeed, kneedle', () => {
  it('finds the elbow of a sharp knee', () => {
    const elbow = polyline(
      [
        [0, 0],
        [1000, 0.9],
        [10000, 1],
      ],
      500,
    );
    expect(pageNeed(elbow, { method: 'kneedle' })).toBe(1000);
  });

  it('finds the knee of a saturating exponential near its known place', () => {
    // y = 1 − e^(−x/τ) on [0, 10τ]: the normalised difference y − x/10τ peaks where
    // e^(−x/τ)/τ = 1/(10τ), i.e. x = τ ln 10 ≈ 2.30τ.
    const tau = 1000;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let x = 100; x <= 10 * tau; x += 100) {
      xs.push(x);
      ys.push(1 - Math.exp(-x / tau));
    }
    const need = pageNeed(HitRatioCurve.fromArrays(xs, ys), { method: 'kneedle' });
    expect(need).toBeGreaterThanOrEqual(2200);
    expect(need).toBeLessThanOrEqual(2400);
  });

  it('falls back to the saturation point on a straight line', () => {
    const line = polyline(
      [
        [0, 0],
        [1000, 1],
      ],
      100,
    );
    expect(pageNeed(line, { method: 'kneedle' })).toBe(1000);
  });

  it('rejects a bad sensitivity', () => {
    const c = polyline(
      [
        [0, 0],
        [10, 1],
      ],
      1,
    );
    expect(() => pageNeed(c, { method: 'kneedle', sensitivity: -1 })).toThrow(InvalidOptionError);
  });
});
