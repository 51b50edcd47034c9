import { InvalidOptionError } from './errors.js';
import type { HitRatioCurve } from './hit-ratio-curve.js';

/** How {@link pageNeed} finds the knee of a curve. */
export type PageNeedMethod = 'slope' | 'kneedle';

export interface PageNeedOptions {
  /** `'slope'` (default) or `'kneedle'`. */
  readonly method?: PageNeedMethod;
  /**
   * Slope method: the hit-ratio gain per added page below which the curve counts as flat.
   * Default {@link DEFAULT_SLOPE_THRESHOLD}.
   */
  readonly threshold?: number;
  /** Kneedle: the sensitivity S of Satopää et al. (default 1; larger is more conservative). */
  readonly sensitivity?: number;
}

/**
 * Default slope threshold: 1e-5 hit ratio per page, i.e. a curve that gains less than one
 * percentage point per 1000 pages (4 MiB of 4 KiB pages) is flat. On the paper's machine
 * (2 GiB shared by up to 15 containers, about 35 000 pages each) 1000 pages is 3 % of a fair
 * share: a container whose curve rises more slowly than that would turn memory taken from the
 * others into less than one point of hit ratio.
 */
export const DEFAULT_SLOPE_THRESHOLD = 1e-5;

/**
 * The page need of a curve: the size past which more memory buys little.
 *
 * Both methods read the curve as the polyline through its defined points, starting from the
 * origin (0 pages, hit ratio 0) when the first defined size is above 0 — by step semantics
 * a curve is 0 below its first point.
 *
 * - `slope`: the slope of each segment between consecutive points (hit-ratio gain divided by
 *   the pages added) is compared with `threshold`; the need is the right end of the last
 *   segment whose slope is ≥ `threshold`, i.e. the smallest defined size past which the slope
 *   stays below it. 0 if the curve is flat everywhere. Slopes are measured between the
 *   points given, so resample a finely stepped curve onto a coarser grid (for example
 *   {@link geometricSizes}) if single steps should not count as steep.
 * - `kneedle`: Satopää, Albrecht, Irwin, Raghavan, "Finding a 'Kneedle' in a Haystack"
 *   (ICDCS workshops 2011), offline, without smoothing: sizes and hit ratios are normalised
 *   to [0, 1], the difference curve y − x is formed, and the first local maximum after which
 *   the difference drops below `max − S·mean(Δx)` before the next local maximum is the knee
 *   (after a local minimum the bar becomes 0, as in the reference implementation `kneed`).
 *   If none qualifies, the largest difference is used; if the curve never rises above the
 *   diagonal (linear or convex), the need is the first size at which the curve reaches its
 *   maximum.
 */
export function pageNeed(curve: HitRatioCurve, options: PageNeedOptions = {}): number {
  const method = options.method ?? 'slope';
  const xs: number[] = [];
  const ys: number[] = [];
  if (curve.length === 0 || curve.size(0) > 0) {
    xs.push(0);
    ys.push(0);
  }
  for (let i = 0; i < curve.length; i++) {
    xs.push(curve.size(i));
    ys.push(curve.hitRatio(i));
  }
  if (method === 'slope') {
    const threshold = options.threshold ?? DEFAULT_SLOPE_THRESHOLD;
    if (!(threshold > 0) || !Number.isFinite(threshold)) {
      throw new InvalidOptionError('threshold', `must be a finite number > 0, got ${threshold}`);
    }
    return slopeNeed(xs, ys, threshold);
  }
  if (method === 'kneedle') {
    const sensitivity = options.sensitivity ?? 1;
    if (!(sensitivity >= 0) || !Number.isFinite(sensitivity)) {
      throw new InvalidOptionError(
        'sensitivity',
        `must be a finite number ≥ 0, got ${sensitivity}`,
      );
    }
    return kneedleNeed(xs, ys, sensitivity);
  }
  throw new InvalidOptionError('method', `unknown method "${String(method)}" (slope, kneedle)`);
}

function slopeNeed(xs: number[], ys: number[], threshold: number): number {
  for (let i = xs.length - 1; i > 0; i--) {
    const slope = (ys[i]! - ys[i - 1]!) / (xs[i]! - xs[i - 1]!);
    if (slope >= threshold) return xs[i]!;
  }
  return 0;
}

function kneedleNeed(xs: number[], ys: number[], sensitivity: number): number {
  const n = xs.length;
  const x0 = xs[0]!;
  const y0 = ys[0]!;
  const xSpan = xs[n - 1]! - x0;
  const ySpan = ys[n - 1]! - y0;
  if (n < 3 || ySpan <= 0 || xSpan <= 0) return saturation(xs, ys);
  const diff: number[] = [];
  for (let i = 0; i < n; i++) diff.push((ys[i]! - y0) / ySpan - (xs[i]! - x0) / xSpan);
  // The normalised sizes span 1, so the mean step is 1 / (n − 1).
  const drop = sensitivity / (n - 1);
  let candidate = -1;
  let threshold = 0;
  for (let i = 1; i < n; i++) {
    if (candidate >= 0 && diff[i]! < threshold) return xs[candidate]!;
    if (i === n - 1) break;
    if (diff[i]! > diff[i - 1]! && diff[i]! >= diff[i + 1]!) {
      candidate = i;
      threshold = diff[i]! - drop;
    } else if (candidate >= 0 && diff[i]! < diff[i - 1]! && diff[i]! <= diff[i + 1]!) {
      // Past a local minimum only a drop below the diagonal confirms the candidate (as kneed does).
      threshold = 0;
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (diff[i]! > diff[best]!) best = i;
  return diff[best]! > 0 ? xs[best]! : saturation(xs, ys);
}

/** The first size at which the curve reaches its maximum. */
function saturation(xs: number[], ys: number[]): number {
  const top = ys[ys.length - 1]!;
  for (let i = 0; i < ys.length; i++) if (ys[i]! >= top) return xs[i]!;
  return xs[xs.length - 1]!;
}
