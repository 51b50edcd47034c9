// `cvhrc run`, `cvhrc presets` and `cvhrc reproduce`: scenarios from files and presets.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cli, tempDir } from './helpers.js';

const tiny = {
  name: 'tiny',
  seed: 3,
  machine: { memory: { bytes: 32 * 1024 * 1024 } },
  tracking: { enabled: true, scanList: 512, oracle: true },
  contexts: [
    {
      name: 'a',
      workload: 'loop',
      params: { pages: 600, loopPages: 600, iterations: 20, words: 64 },
    },
    { name: 'b', workload: 'zipf', params: { pages: 2000, references: 20000 } },
  ],
  curvesAtSec: [0.05],
  sampleEverySec: 0.05,
};

test('presets lists the paper’s runs and the examples', async () => {
  const r = await cli(['presets']);
  expect(r.code).toBe(0);
  for (const name of [
    'three-working-sets',
    'table3-lmbench-mem-1vm-cvhrc',
    'table3-kernel-compile-3vm-linux',
    'thrash-lmbench-mem-4vm',
    'figures-3-4-lmbench-mem',
    'quick-figure-5-lmbench-all-and-kernel-compile',
  ]) {
    expect(r.stdout).toContain(name);
  }
  const j = JSON.parse((await cli(['presets', '--json'])).stdout) as Record<
    string,
    { name: string }
  >;
  expect(j['three-working-sets']!.name).toBe('three-working-sets');
});

test('run a scenario file: per-context results, the same JSON for the same seed', async () => {
  const dir = tempDir('cvhrc-run-');
  writeFileSync(join(dir, 's.json'), JSON.stringify(tiny));
  const a = await cli(['run', 's.json', '--json', '--out', 'r.json'], dir);
  expect(a.stderr).toBe('');
  expect(a.code).toBe(0);
  const b = await cli(['run', 's.json', '--json'], dir);
  expect(b.stdout).toBe(a.stdout);
  expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe(a.stdout);
  const res = JSON.parse(a.stdout) as {
    finished: boolean;
    contexts: {
      name: string;
      finished: boolean;
      curves: { cvhrc: unknown[]; exact: unknown[] }[];
    }[];
  };
  expect(res.finished).toBe(true);
  expect(res.contexts.map((c) => c.name)).toEqual(['a', 'b']);
  for (const c of res.contexts) {
    expect(c.curves.length).toBeGreaterThan(0);
    expect(c.curves[0]!.exact.length).toBeGreaterThan(0);
  }
  const text = await cli(['run', 's.json', '--seed', '4'], dir);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^context\s+xid\s+workload/m);
  expect(text.stdout).toMatch(/^a\s+\d+\s+loop\s+yes/m);
});

test('a bad scenario is refused with the file and the field', async () => {
  const dir = tempDir('cvhrc-run-');
  writeFileSync(
    join(dir, 'bad.json'),
    JSON.stringify({ ...tiny, contexts: [{ workload: 'loop', limits: { rss: 5 } }] }),
  );
  const r = await cli(['run', 'bad.json'], dir);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^cvhrc: bad\.json: contexts\[0\]\.limits: .*rss/);
  const w = await cli(['run', 'nope.json'], dir);
  expect(w.code).not.toBe(0);
  expect(w.stderr).toBe('cvhrc: cannot read scenario nope.json: no such file\n');
  mkdirSync(join(dir, 'd.json'));
  const d = await cli(['run', 'd.json'], dir);
  expect(d.stderr).toBe('cvhrc: cannot read scenario d.json: is a directory\n');
  const u = await cli(['run', 'no-such-preset'], dir);
  expect(u.code).not.toBe(0);
  expect(u.stderr).toMatch(/unknown preset "no-such-preset"/);
  const wl = await cli(['run', 'w.json'], dir);
  expect(wl.code).not.toBe(0);
  writeFileSync(
    join(dir, 'w.json'),
    JSON.stringify({ ...tiny, contexts: [{ workload: 'nosuch' }] }),
  );
  const wl2 = await cli(['run', 'w.json'], dir);
  expect(wl2.code).not.toBe(0);
  expect(wl2.stderr).toMatch(
    /^cvhrc: w\.json: contexts\[0\]\.workload: no such workload \(known: /,
  );
});

test("a workload's parameters are refused with the file and the field, every one", async () => {
  const dir = tempDir('cvhrc-run-');
  writeFileSync(
    join(dir, 'p.json'),
    JSON.stringify({
      ...tiny,
      contexts: [
        { workload: 'loop', params: { pages: 'many' } },
        { workload: 'loop', alongside: [{ workload: 'zipf', params: { skew: 1 } }] },
      ],
    }),
  );
  const r = await cli(['run', 'p.json'], dir);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(
    /^cvhrc: p\.json: contexts\[0\]\.params\.pages: expected a number, got "many"; contexts\[1\]\.alongside\[0\]\.params\.skew: unknown parameter \(known: .*\)\n$/,
  );
  // A check the workload makes only when it is made (the syntax of a list) is named alike.
  writeFileSync(
    join(dir, 's.json'),
    JSON.stringify({
      ...tiny,
      contexts: [{ workload: 'lmbench-mem', params: { mb: 8, strides: '64 x' } }],
    }),
  );
  const s = await cli(['run', 's.json'], dir);
  expect(s.code).toBe(1);
  expect(s.stderr).toMatch(/^cvhrc: s\.json: contexts\[0\]\.params\.strides: expected strides/);
});

test('run --out and reproduce --out that cannot be written are refused before any run', async () => {
  const dir = tempDir('cvhrc-run-');
  writeFileSync(join(dir, 'f'), '');
  writeFileSync(join(dir, 's.json'), JSON.stringify(tiny));
  const r = await cli(['run', 's.json', '--out', 'f/r.json'], dir);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    `cvhrc: cannot create directory ${join(dir, 'f')}: exists and is not a directory\n`,
  );
  // No progress line: no run started.
  const q = await cli(['reproduce', '--quick', '--only', 'table2', '--out', 'f/o'], dir);
  expect(q.code).toBe(1);
  expect(q.stderr).toBe(
    `cvhrc: cannot create directory ${join(dir, 'f', 'o')}: a part of the path is not a directory\n`,
  );
  expect(readdirSync(dir).sort()).toEqual(['f', 's.json']);
});

test('reproduce refuses an unknown part and writes nothing', async () => {
  const dir = tempDir('cvhrc-rep-');
  const r = await cli(['reproduce', '--only', 'table9', '--out', 'o'], dir);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/"table9" is not a part; choose from table2, table3, figures/);
  expect(readdirSync(dir)).toEqual([]);
});

test('reproduce --quick --only table2 writes its files and a progress line per run', async () => {
  const dir = tempDir('cvhrc-rep-');
  const r = await cli(['reproduce', '--quick', '--only', 'table2', '--out', 'o', '--json'], dir);
  expect(r.code).toBe(0);
  // Table 2's runs, the tracked one-VM runs of each program, the longer one first; a line
  // for each, with an estimate of the time left until the last.
  expect(r.stderr).toMatch(
    /^reproduce: 1\/2 table3-lmbench-mem-1vm-cvhrc-s1 \(\d+\.\d s host; (under a minute|about \d+ min) left\)\nreproduce: 2\/2 table3-kernel-compile-1vm-cvhrc-s1 \(\d+\.\d s host\)\n$/,
  );
  const results = JSON.parse(r.stdout) as { table2: { staticBytes: number } };
  expect(results.table2.staticBytes).toBeGreaterThan(0);
  expect(readdirSync(join(dir, 'o'))).toContain('report.md');
});
