import { describe, expect, it } from 'vitest';
import { DEMO_WORKLOADS, createDemoRun } from '../src/demo/engines.js';
import type { DemoStart } from '../src/demo/protocol.js';

const start = (over: Partial<DemoStart>): DemoStart => ({
  type: 'start',
  engine: 'trace',
  workload: 'loop',
  contexts: 2,
  seed: 1,
  memoryMiB: 256,
  limit: 100_000,
  ...over,
});

function runToEnd(request: DemoStart) {
  const run = createDemoRun(request);
  let slices = 0;
  while (!run.finished) {
    run.advance();
    slices++;
    if (slices > 10_000) throw new Error('the run does not finish');
  }
  return run;
}

describe('demo engines', () => {
  it('offers the emulator workloads of the registry and the trace workloads', () => {
    const names = (e: string) => DEMO_WORKLOADS.filter((w) => w.engine === e).map((w) => w.name);
    expect(names('emulator')).toEqual(
      expect.arrayContaining(['lmbench-mem', 'kernel-compile', 'zipf']),
    );
    expect(names('emulator')).not.toContain('trace-replay');
    expect(names('trace')).toEqual(['zipf', 'loop', 'phases']);
  });

  it('trace engine: a loop of 4096 pages is all hits past 4096 pages, in both curves', () => {
    const run = runToEnd(start({ contexts: 1, limit: 4096 * 20 }));
    const [c] = run.snapshot();
    expect(run.references).toBe(4096 * 20);
    expect(c!.exact!.pageNeed).toBe(4096);
    const last = c!.exact!.curve.at(-1)!;
    expect(last.hitRatio).toBeCloseTo(19 / 20, 6);
    // A loop arrives in LRU order: the tracker sees it exactly (core's README).
    expect(c!.exact!.mae).toBeLessThan(0.01);
    expect(c!.pageNeed).toBe(4096);
  });

  it('trace engine: the same seed gives the same curves', () => {
    const a = runToEnd(start({ workload: 'zipf', limit: 50_000 })).snapshot();
    const b = runToEnd(start({ workload: 'zipf', limit: 50_000 })).snapshot();
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]); // each container has its own stream
  });

  it('rejects bad requests with the field named', () => {
    expect(() => createDemoRun(start({ contexts: 5 }))).toThrow(
      /contexts must be an integer in 1–4/,
    );
    expect(() => createDemoRun(start({ workload: 'nope' }))).toThrow(
      /unknown trace workload "nope"/,
    );
    expect(() => createDemoRun(start({ engine: 'emulator', workload: 'nope' }))).toThrow(/nope/);
    expect(() =>
      createDemoRun(start({ engine: 'emulator', workload: 'zipf', memoryMiB: 100 })),
    ).toThrow(/memoryMiB/);
  });

  it('emulator engine: three contexts each get a tracker curve, an exact curve and a page need', () => {
    const run = runToEnd(
      start({
        engine: 'emulator',
        workload: 'kernel-compile',
        contexts: 3,
        limit: 1,
        memoryMiB: 128,
      }),
    );
    expect(run.simSec).toBeGreaterThan(0);
    const snap = run.snapshot();
    expect(snap).toHaveLength(3);
    for (const c of snap) {
      expect(c.curve.length).toBeGreaterThan(0);
      expect(c.observed).toBeGreaterThan(0);
      expect(c.exact).not.toBeNull();
      expect(c.rssPages).toBeGreaterThan(0);
      expect(c.pageNeed).toBeGreaterThan(0);
    }
    expect(new Set(snap.map((c) => c.xid)).size).toBe(3);
  });
});
