import { describe, expect, it } from 'vitest';
import { InvalidOptionError, ZipfSampler, createRng } from '@cvhrc/core';

describe('createRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(xs);
    // Pinned so that a change of generator is noticed: synthetic traces depend on it.
    const one = createRng(1);
    expect([one.nextUint32(), one.nextUint32(), one.nextUint32()]).toEqual([
      2442144158, 3238099751, 3819917871,
    ]);
  });

  it('draws in range', () => {
    const r = createRng(5);
    for (let i = 0; i < 10000; i++) {
      const u = r.nextUint32();
      expect(u >= 0 && u < 2 ** 32 && Number.isInteger(u)).toBe(true);
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      const k = r.nextInt(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
    }
  });

  it('is roughly uniform', () => {
    const r = createRng(9);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100000; i++) counts[r.nextInt(10)]!++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(InvalidOptionError);
  });
});

describe('ZipfSampler', () => {
  it('draws rank k with probability ∝ 1/(k+1)^alpha', () => {
    for (const alpha of [0, 0.8, 1, 1.5]) {
      const n = 20;
      const z = new ZipfSampler(n, alpha, createRng(11));
      const counts = new Array<number>(n).fill(0);
      const draws = 200000;
      for (let i = 0; i < draws; i++) counts[z.next()]!++;
      let norm = 0;
      for (let k = 0; k < n; k++) norm += 1 / (k + 1) ** alpha;
      for (let k = 0; k < n; k++) {
        const expected = draws / (k + 1) ** alpha / norm;
        // 5 standard deviations of a binomial count.
        expect(Math.abs(counts[k]! - expected)).toBeLessThan(5 * Math.sqrt(expected) + 1);
      }
    }
  });

  it('gives the pinned ranks for the benchmark setting (n = 10^6, alpha = 1, seed 42)', () => {
    const z = new ZipfSampler(1_000_000, 1, createRng(42));
    expect([z.next(), z.next(), z.next(), z.next()]).toEqual([72, 199961, 319845, 803188]);
  });

  it('puts the right mass on the head of a large distribution (n = 10^6, alpha = 1)', () => {
    const n = 1_000_000;
    const z = new ZipfSampler(n, 1, createRng(7));
    let harmonic = 0;
    let head = 0;
    for (let k = 1; k <= n; k++) {
      harmonic += 1 / k;
      if (k === 8192) head = harmonic;
    }
    const draws = 400_000;
    let inHead = 0;
    let rank0 = 0;
    for (let i = 0; i < draws; i++) {
      const r = z.next();
      if (r < 8192) inHead++;
      if (r === 0) rank0++;
    }
    const pHead = head / harmonic; // about 0.666
    const sdHead = Math.sqrt(draws * pHead * (1 - pHead));
    expect(Math.abs(inHead - draws * pHead)).toBeLessThan(5 * sdHead);
    const p0 = 1 / harmonic;
    expect(Math.abs(rank0 - draws * p0)).toBeLessThan(5 * Math.sqrt(draws * p0));
  });

  it('is deterministic and fills arrays', () => {
    const a = new ZipfSampler(1000, 1, createRng(1)).fill(new Int32Array(1000));
    const b = new ZipfSampler(1000, 1, createRng(1)).fill(new Int32Array(1000));
    expect(a).toEqual(b);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1000);
  });

  it('rejects bad parameters', () => {
    const rng = createRng(1);
    expect(() => new ZipfSampler(0, 1, rng)).toThrow(InvalidOptionError);
    expect(() => new ZipfSampler(10, -1, rng)).toThrow(InvalidOptionError);
    expect(() => new ZipfSampler(1.5, 1, rng)).toThrow(InvalidOptionError);
  });
});
