import { describe, expect, it } from 'vitest';
import {
  CurveParseError,
  CurveValidationError,
  HitRatioCurve,
  InvalidOptionError,
  geometricSizes,
  meanAbsoluteError,
} from '@cvhrc/core';

const curve = HitRatioCurve.fromPoints([
  { size: 10, hitRatio: 0.2 },
  { size: 20, hitRatio: 0.5 },
  { size: 40, hitRatio: 0.5 },
  { size: 80, hitRatio: 0.9 },
]);

describe('HitRatioCurve validation', () => {
  it('accepts a non-decreasing curve and an empty one', () => {
    expect(curve.length).toBe(4);
    expect(HitRatioCurve.fromPoints([]).at(100)).toBe(0);
  });

  it.each([
    [
      [
        { size: 10, hitRatio: 0.1 },
        { size: 10, hitRatio: 0.2 },
      ],
      1,
      'size',
    ],
    [
      [
        { size: 10, hitRatio: 0.1 },
        { size: 5, hitRatio: 0.2 },
      ],
      1,
      'size',
    ],
    [[{ size: -1, hitRatio: 0.1 }], 0, 'size'],
    [[{ size: Number.NaN, hitRatio: 0.1 }], 0, 'size'],
    [[{ size: 1, hitRatio: 1.5 }], 0, 'hitRatio'],
    [[{ size: 1, hitRatio: -0.1 }], 0, 'hitRatio'],
    [[{ size: 1, hitRatio: Number.NaN }], 0, 'hitRatio'],
    [
      [
        { size: 1, hitRatio: 0.5 },
        { size: 2, hitRatio: 0.4 },
      ],
      1,
      'hitRatio',
    ],
  ] as const)('rejects %j with a typed error at point %i (%s)', (points, index, field) => {
    const error = (() => {
      try {
        HitRatioCurve.fromPoints(points);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CurveValidationError);
    expect((error as CurveValidationError).index).toBe(index);
    expect((error as CurveValidationError).field).toBe(field);
  });

  it('rejects arrays of different lengths', () => {
    expect(() => HitRatioCurve.fromArrays([1, 2], [0.1])).toThrow(CurveValidationError);
  });
});

describe('HitRatioCurve lookup', () => {
  it('uses step semantics: the largest defined size at or below, 0 below the first', () => {
    expect(curve.at(0)).toBe(0);
    expect(curve.at(9.99)).toBe(0);
    expect(curve.at(10)).toBe(0.2);
    expect(curve.at(19)).toBe(0.2);
    expect(curve.at(20)).toBe(0.5);
    expect(curve.at(79)).toBe(0.5);
    expect(curve.at(80)).toBe(0.9);
    expect(curve.at(1e12)).toBe(0.9);
    expect(() => curve.at(Number.NaN)).toThrow(InvalidOptionError);
  });

  it('resamples onto sorted, deduplicated sizes', () => {
    const r = curve.resample([100, 5, 20, 20, 30]);
    expect(r.points()).toEqual([
      { size: 5, hitRatio: 0 },
      { size: 20, hitRatio: 0.5 },
      { size: 30, hitRatio: 0.5 },
      { size: 100, hitRatio: 0.9 },
    ]);
    expect(() => curve.resample([-1])).toThrow(InvalidOptionError);
  });

  it('gives points, sizes and hit ratios as copies', () => {
    const sizes = curve.sizes();
    sizes[0] = 999;
    expect(curve.size(0)).toBe(10);
    expect(curve.hitRatio(3)).toBe(0.9);
    expect(() => curve.size(4)).toThrow(InvalidOptionError);
  });
});

describe('meanAbsoluteError', () => {
  const other = HitRatioCurve.fromPoints([
    { size: 10, hitRatio: 0.1 },
    { size: 40, hitRatio: 0.7 },
  ]);

  it('averages |a − b| over the given sizes', () => {
    // sizes 10, 20, 40: |0.2−0.1| + |0.5−0.1| + |0.5−0.7| = 0.1 + 0.4 + 0.2
    expect(meanAbsoluteError(curve, other, [10, 20, 40])).toBeCloseTo(0.7 / 3, 12);
  });

  it('uses the union of defined sizes by default', () => {
    // 10, 20, 40, 80: 0.1 + 0.4 + 0.2 + 0.2
    expect(meanAbsoluteError(curve, other)).toBeCloseTo(0.9 / 4, 12);
    expect(meanAbsoluteError(curve, curve)).toBe(0);
  });

  it('refuses an empty set of sizes', () => {
    expect(() => meanAbsoluteError(curve, other, [])).toThrow(InvalidOptionError);
  });
});

describe('JSON', () => {
  it('round-trips through JSON.stringify and fromJSON', () => {
    const text = JSON.stringify(curve);
    expect(JSON.parse(text)).toEqual(curve.points());
    expect(HitRatioCurve.fromJSON(JSON.parse(text)).points()).toEqual(curve.points());
    expect(HitRatioCurve.fromJSON({ points: curve.toJSON() }).points()).toEqual(curve.points());
  });

  it('names the point that is wrong', () => {
    expect(() => HitRatioCurve.fromJSON({ nope: 1 }, 'x.json')).toThrow(CurveParseError);
    try {
      HitRatioCurve.fromJSON(
        [
          { size: 1, hitRatio: 0.5 },
          { size: 2, hitRatio: 'a' },
        ],
        'x.json',
      );
    } catch (e) {
      expect(e).toBeInstanceOf(CurveParseError);
      expect((e as CurveParseError).line).toBe(2);
      expect((e as CurveParseError).message).toMatch(/^x\.json:2: /);
    }
    try {
      HitRatioCurve.fromJSON(
        [
          { size: 1, hitRatio: 0.5 },
          { size: 2, hitRatio: 0.4 },
        ],
        'x.json',
      );
    } catch (e) {
      expect((e as CurveParseError).line).toBe(2);
    }
  });
});

describe('CSV', () => {
  it('writes a header and one line per point, and reads it back', () => {
    const text = curve.toCsv();
    expect(text).toBe('size,hit_ratio\n10,0.2\n20,0.5\n40,0.5\n80,0.9\n');
    expect(HitRatioCurve.fromCsv(text).points()).toEqual(curve.points());
  });

  it('keeps full precision', () => {
    const c = HitRatioCurve.fromArrays([1, 3], [1 / 3, 2 / 3]);
    expect(HitRatioCurve.fromCsv(c.toCsv()).points()).toEqual(c.points());
  });

  it('accepts CRLF, blank lines, spaces and no header', () => {
    const c = HitRatioCurve.fromCsv('\r\n1, 0.5\r\n\r\n2 ,0.75\r\n');
    expect(c.points()).toEqual([
      { size: 1, hitRatio: 0.5 },
      { size: 2, hitRatio: 0.75 },
    ]);
  });

  it.each([
    ['size,hit_ratio\n1,0.5\n2,x\n', 3, /hit ratio "x"/],
    ['size,hit_ratio\n1,0.5,7\n', 2, /expected 2 fields/],
    ['size,hit_ratio\n1,0.5\n\n1,0.6\n', 4, /increase strictly/],
    ['size,hit_ratio\n1,0.5\n2,0.4\n', 3, /must not decrease/],
    ['sizes,ratio\n1,0.5\n', 1, /header/],
    ['size,hit_ratio\n,0.5\n', 2, /size ""/],
  ])('reports %j at line %i', (text, line, message) => {
    try {
      HitRatioCurve.fromCsv(text, 'curve.csv');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CurveParseError);
      expect((e as CurveParseError).line).toBe(line);
      expect((e as CurveParseError).source).toBe('curve.csv');
      expect((e as CurveParseError).message).toMatch(message);
      expect((e as CurveParseError).message).toMatch(new RegExp(`^curve\\.csv:${line}: `));
    }
  });
});

describe('geometricSizes', () => {
  it('gives 1..max, strictly increasing, evenly spaced on a log axis', () => {
    const s = geometricSizes(100);
    expect(s[0]).toBe(1);
    expect(s[s.length - 1]).toBe(100);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(geometricSizes(16, 1)).toEqual([1, 2, 4, 8, 16]);
    expect(geometricSizes(20, 1)).toEqual([1, 2, 4, 8, 16, 20]);
    expect(geometricSizes(1)).toEqual([1]);
    expect(geometricSizes(0)).toEqual([]);
    // About pointsPerDoubling per doubling once rounding stops merging sizes.
    expect(geometricSizes(1 << 20, 4).length).toBeGreaterThan(70);
  });

  it('rejects bad arguments', () => {
    expect(() => geometricSizes(-1)).toThrow(InvalidOptionError);
    expect(() => geometricSizes(1.5)).toThrow(InvalidOptionError);
    expect(() => geometricSizes(10, 0)).toThrow(InvalidOptionError);
  });
});
