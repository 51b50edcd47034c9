import { describe, expect, it } from 'vitest';
import { PAPER_TABLE3, formatMinSec, overheadPct } from '../src/index.js';

describe('the paper’s Table 3', () => {
  it('follows (with − without) / without in every row but the 2-VM kernel compile', () => {
    for (const r of PAPER_TABLE3) {
      const ours = overheadPct(r.withoutSec, r.withSec);
      if (r.vms === 2 && r.workload === 'kernel-compile') {
        expect(ours).toBeCloseTo(3.71, 2);
      } else {
        expect(Math.abs(ours - r.overheadPct)).toBeLessThan(0.06);
      }
    }
  });

  it('formats times as the paper prints them', () => {
    expect(formatMinSec(328)).toBe(`5'28"`);
    expect(formatMinSec(787.6)).toBe(`13'08"`);
    expect(formatMinSec(59.4)).toBe(`0'59"`);
  });
});
