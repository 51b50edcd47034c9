// Synthetic patterns and trace replay on the kernel.
import { expect, test } from 'vitest';
import { denseTrace, getWorkload, readPages, ZipfSampler, SeededRandom } from '@cvhrc/workloads';
import { kernelOf, runAlone, serialise } from './wl-helpers.js';

/** Runs a registry workload alone, counting accesses per page of the task's address space. */
function observe(
  name: string,
  params: Record<string, unknown>,
  options: { trace?: ArrayLike<number> } = {},
) {
  const k = kernelOf(64);
  const seen = new Map<number, number>();
  let accesses = 0;
  k.hooks.mmCreated = (mm) => {
    mm.accessObserver = (vpn) => {
      seen.set(vpn, (seen.get(vpn) ?? 0) + 1);
      accesses++;
    };
  };
  const inst = getWorkload(name).instantiate(params, { seed: 5, ...options });
  inst.setup(k);
  const s = runAlone(k, inst.program, inst.comm);
  return { k, seen, accesses, task: s };
}

test('seq-scan and loop: every page once per pass, after the populating writes', () => {
  const scan = observe('seq-scan', { pages: 300, passes: 3 });
  expect(scan.seen.size).toBe(300);
  for (const n of scan.seen.values()) expect(n).toBe(1 + 3);
  const loop = observe('loop', { pages: 400, loopPages: 100, iterations: 5 });
  const counts = [...loop.seen.values()].sort((a, b) => a - b);
  expect(counts.filter((c) => c === 6)).toHaveLength(100);
  expect(counts.filter((c) => c === 1)).toHaveLength(300);
});

test('uniform, zipf, phases: the number of references, within the region', () => {
  const u = observe('uniform', { pages: 200, references: 5000 });
  expect(u.accesses).toBe(200 + 5000);
  expect(u.seen.size).toBe(200);
  const z = observe('zipf', { pages: 1000, references: 20000, alpha: 1.2 });
  expect(z.accesses).toBe(1000 + 20000);
  // Skewed: the most referenced page takes far more than a uniform share (20).
  const top = Math.max(...z.seen.values()) - 1;
  expect(top).toBeGreaterThan(2000);
  const p = observe('phases', {
    pages: 1000,
    phases: 3,
    phasePages: 100,
    overlap: 0.5,
    referencesPerPhase: 3000,
  });
  expect(p.accesses).toBe(1000 + 9000);
  // Windows 0–99, 50–149, 100–199: pages from 200 on are only populated.
  const base = Math.min(...p.seen.keys());
  for (const [vpn, n] of p.seen) if (vpn - base >= 200) expect(n).toBe(1);
});

test('the Zipf sampler follows 1/k^α', () => {
  const z = new ZipfSampler(100, 1);
  const rng = new SeededRandom(1);
  const hits = new Int32Array(100);
  for (let i = 0; i < 200_000; i++) hits[z.rank(rng.next())]!++;
  const h = 1 / Array.from({ length: 100 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b);
  expect(hits[0]! / 200_000).toBeCloseTo(h, 2);
  expect(hits[1]! / 200_000).toBeCloseTo(h / 2, 2);
});

test('trace replay: a trace read by the readers, renumbered densely, as touches in order', async () => {
  const text = new TextEncoder().encode('900\n901\n902\n7\n900\n123456789012\n7\n');
  const pages = await readPages([text]).collect();
  const d = denseTrace(pages);
  expect(Array.from(d.offsets)).toEqual([0, 1, 2, 3, 0, 4, 3]);
  expect(d.distinct).toBe(5);
  const ops = serialise(
    getWorkload('trace-replay').instantiate({ populate: false }, { seed: 1, trace: pages }).program,
  );
  // mmap, then runs of consecutive region pages as one touch: 900 901 902 7 → offsets 0–3.
  expect(
    ops.map((o) => JSON.parse(o.slice(2)) as { op: string; offset?: number; pages: number }),
  ).toMatchObject([
    { op: 'mmap', pages: 5 },
    { op: 'touch', offset: 0, pages: 4 },
    { op: 'touch', offset: 0, pages: 1 },
    { op: 'touch', offset: 4, pages: 1 },
    { op: 'touch', offset: 3, pages: 1 },
  ]);
  const r = observe('trace-replay', { passes: 2 }, { trace: pages });
  expect(r.accesses).toBe(5 + 2 * 7);
});
