import { describe, expect, it } from 'vitest';
import { formatPages, maxSizeOf, scales, stepPath, ticks } from '../src/demo/plot.js';
import { gridSizes } from '../src/demo/run.js';

const box = { width: 110, height: 60, left: 10, right: 0, top: 10, bottom: 0 };

describe('demo plot geometry', () => {
  it('draws a curve as steps from the origin', () => {
    const s = scales(100, box); // x: 10 + size, y: 10 + 50·(1 − r)
    expect(s.x(0)).toBe(10);
    expect(s.x(100)).toBe(110);
    expect(s.y(1)).toBe(10);
    expect(
      stepPath(
        [
          { size: 20, hitRatio: 0.5 },
          { size: 60, hitRatio: 0.5 },
          { size: 100, hitRatio: 1 },
        ],
        s,
      ),
    ).toBe('M10.0,60.0H30.0V35.0H70.0H110.0V10.0');
    expect(stepPath([], s)).toBe('');
  });

  it('clamps sizes past the scale', () => {
    expect(scales(50, box).x(80)).toBe(110);
  });

  it('picks round ticks', () => {
    expect(ticks(4096, 4)).toEqual([0, 2000, 4000]);
    expect(ticks(1, 4)).toEqual([0, 0.5, 1]);
    expect(ticks(0)).toEqual([0]);
  });

  it('formats pages with MiB', () => {
    expect(formatPages(2304)).toBe('2,304 pages (9.0 MiB)');
    expect(formatPages(16384)).toBe('16,384 pages (64 MiB)');
  });

  it('finds the largest size and a grid of group multiples', () => {
    expect(maxSizeOf([[{ size: 3, hitRatio: 0 }], [], [{ size: 9, hitRatio: 1 }]])).toBe(9);
    expect(gridSizes(256, 64)).toEqual([64, 128, 192, 256]);
    expect(gridSizes(300, 64)).toEqual([64, 128, 192, 256, 320]);
    expect(gridSizes(64 * 1000, 64, 200)).toHaveLength(200);
  });
});
