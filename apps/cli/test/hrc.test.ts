import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cli, tempDir } from './helpers.js';

const shared = resolve(import.meta.dirname, '../../../../shared/traces');
const vscsi = join(shared, 'cloudPhysicsIO.vscsi');
const txt = join(shared, 'cloudPhysicsIO.txt');

interface HrcJson {
  trace: string;
  references: number;
  distinct: number;
  curves: {
    exact?: { size: number; hitRatio: number }[];
    cvhrc?: { size: number; hitRatio: number }[];
  };
  pageNeed: { exact?: number; cvhrc?: number };
  mae?: number;
}

function tmp(): string {
  return tempDir('cvhrc-hrc-');
}

describe('cvhrc hrc', () => {
  test('both methods on the shared vscsi trace, as one JSON object', async () => {
    const r = await cli(['hrc', vscsi, '--method', 'both', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as HrcJson;
    expect(Object.keys(j)).toEqual([
      'trace',
      'references',
      'distinct',
      'curves',
      'pageNeed',
      'mae',
    ]);
    expect(j.references).toBe(113_872);
    expect(j.distinct).toBe(48_974);
    const exact = j.curves.exact!;
    // Known answer (shared/traces/README.md): every re-reference hits once the whole trace fits.
    expect(exact[exact.length - 1]).toEqual({ size: 48_974, hitRatio: 64_898 / 113_872 });
    expect(j.curves.cvhrc!.length).toBe(exact.length);
    expect(j.pageNeed.exact).toBeGreaterThan(0);
    expect(j.pageNeed.cvhrc).toBeGreaterThan(0);
    expect(j.mae).toBeGreaterThanOrEqual(0);
    expect(j.mae).toBeLessThan(1);
  });

  test('--sizes gives exactly those points; the text trace gives the same exact curve', async () => {
    const a = JSON.parse(
      (await cli(['hrc', vscsi, '-m', 'exact', '--sizes', '100,1000,48974', '--json'])).stdout,
    ) as HrcJson;
    const b = JSON.parse(
      (await cli(['hrc', txt, '-m', 'exact', '--sizes', '100,1000,48974', '--json'])).stdout,
    ) as HrcJson;
    expect(a.curves.exact!.map((p) => p.size)).toEqual([100, 1000, 48_974]);
    expect(a.curves).toEqual(b.curves);
    expect(a.curves.cvhrc).toBeUndefined();
    expect(a.mae).toBeUndefined();
    expect(Object.keys(a.pageNeed)).toEqual(['exact']);
  });

  test('a loop over n+1 pages: hit ratio 0 at n, all re-references at n+1', async () => {
    const dir = tmp();
    const file = join(dir, 'loop.txt');
    const n = 50;
    const lines: string[] = [];
    for (let pass = 0; pass < 10; pass++) for (let p = 0; p <= n; p++) lines.push(String(p));
    writeFileSync(file, lines.join('\n') + '\n');
    const j = JSON.parse(
      (await cli(['hrc', file, '-m', 'exact', '--sizes', `${n},${n + 1}`, '--json'])).stdout,
    ) as HrcJson;
    expect(j.curves.exact).toEqual([
      { size: n, hitRatio: 0 },
      { size: n + 1, hitRatio: (9 * (n + 1)) / (10 * (n + 1)) },
    ]);
  });

  test('table output names the page need and the MAE; CSV has one column per curve', async () => {
    const t = await cli(['hrc', vscsi]);
    expect(t.stdout).toContain('page need (exact)');
    expect(t.stdout).toContain('page need (cvhrc)');
    expect(t.stdout).toContain('mean absolute error');
    const c = await cli(['hrc', vscsi, '--csv', '--sizes', '10,20']);
    expect(c.stdout.split('\n')[0]).toBe('size,exact_hit_ratio,cvhrc_hit_ratio');
    expect(c.stdout.trim().split('\n')).toHaveLength(3);
  });

  test('--out and --plot write whole files', async () => {
    const dir = tmp();
    const r = await cli([
      'hrc',
      vscsi,
      '--json',
      '--out',
      join(dir, 'o.json'),
      '--plot',
      join(dir, 'p.svg'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(join(dir, 'o.json'), 'utf8')) as HrcJson).references).toBe(
      113_872,
    );
    const svg = readFileSync(join(dir, 'p.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('exact LRU');
    expect(svg).toContain('CvHRC tracker');
    expect(readdirSync(dir).sort()).toEqual(['o.json', 'p.svg']);
  });

  test('csv columns by name, dense ids, and lackey accesses that straddle two pages', async () => {
    const dir = tmp();
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'time;key\n1;a\n2;b\n3;a\n');
    const j = JSON.parse(
      (
        await cli([
          'hrc',
          csv,
          '-m',
          'exact',
          '--column',
          'key',
          '--delimiter',
          ';',
          '--ids',
          'dense',
          '--sizes',
          '1,2',
          '--json',
        ])
      ).stdout,
    ) as HrcJson;
    expect(j.distinct).toBe(2);
    expect(j.curves.exact).toEqual([
      { size: 1, hitRatio: 0 },
      { size: 2, hitRatio: 1 / 3 },
    ]);
    const bad = await cli(['hrc', csv, '--column', 'nope', '--delimiter', ';']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('nope');
    const lackey = join(dir, 't.lackey');
    writeFileSync(lackey, 'I  04000000,3\n L 04222cac,8\n S 04222ffe,4\n M 0421d118,4\n');
    const l = JSON.parse(
      (await cli(['hrc', lackey, '-m', 'exact', '--sizes', '1,3', '--json'])).stdout,
    ) as HrcJson;
    // L 0x4222; S straddles 0x4222|0x4223; M 0x421d: 4 references, one hit at distance 1.
    expect(l.references).toBe(4);
    expect(l.distinct).toBe(3);
    expect(l.curves.exact).toEqual([
      { size: 1, hitRatio: 0.25 },
      { size: 3, hitRatio: 0.25 },
    ]);
    const withI = JSON.parse(
      (await cli(['hrc', lackey, '-m', 'exact', '--instructions', '--json'])).stdout,
    ) as HrcJson;
    expect(withI.references).toBe(5);
  });

  test('a malformed trace is one line naming file and line, exit 1, and no output file', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '1\n2\nxyz\n4\n');
    const out = join(dir, 'out.json');
    const r = await cli(['hrc', file, '--json', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad.txt:3');
    expect(existsSync(out)).toBe(false);
  });

  test('a missing file, an unknown format name and bad flags are clear errors', async () => {
    const missing = await cli(['hrc', '/nonexistent/t.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
    const dir = tmp();
    const odd = join(dir, 'trace.bin');
    writeFileSync(odd, '1\n');
    const unknown = await cli(['hrc', odd]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--format');
    const sizes = await cli(['hrc', vscsi, '--sizes', '10,5']);
    expect(sizes.code).not.toBe(0);
    expect(sizes.stderr).toContain('increasing');
    const method = await cli(['hrc', vscsi, '--method', 'opt']);
    expect(method.code).not.toBe(0);
  });

  test('an output that cannot be written is refused before the trace is read', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'f'), '');
    // The trace is missing too: the output is checked first.
    const out = await cli(['hrc', 'missing.txt', '--out', join(dir, 'f', 'o.json')], dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      `cvhrc: cannot create directory ${join(dir, 'f')}: exists and is not a directory\n`,
    );
    const plot = await cli(['hrc', 'missing.txt', '--plot', dir], dir);
    expect(plot.stderr).toBe(`cvhrc: cannot write ${dir}: is a directory\n`);
    expect(readdirSync(dir)).toEqual(['f']);
  });
});

describe('cvhrc hrc --one-thread', () => {
  test('gives the same output as the two-thread tracker', async () => {
    for (const trace of [vscsi, txt]) {
      const two = await cli(['hrc', trace, '--method', 'cvhrc', '--json', '--scan-list', '1024']);
      const one = await cli([
        'hrc',
        trace,
        '--method',
        'cvhrc',
        '--json',
        '--scan-list',
        '1024',
        '--one-thread',
      ]);
      expect(two.code).toBe(0);
      expect(one.stdout).toBe(two.stdout);
      expect((JSON.parse(two.stdout) as HrcJson).curves.cvhrc!.length).toBeGreaterThan(5);
    }
  });
});

describe('cvhrc bench hrc', () => {
  test('--json prints one object with the documented fields', async () => {
    const r = await cli(['bench', 'hrc', '--json', '--references', '200000', '--pages', '10000']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, number | string>;
    expect(Object.keys(j)).toEqual([
      'bench',
      'references',
      'exactPerSec',
      'cvhrcPerSec',
      'peakRssBytes',
    ]);
    expect(j.references).toBe(200_000);
    expect(j.peakRssBytes).toBeGreaterThan(0);
    const one = await cli(['bench', 'hrc', '--references', '200000', '--one-thread']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(
      /CvHRC tracker on trace host \(one thread\) +[\d.]+ [kM]?references\/s/,
    );
  });

  test('--trace runs on a trace file', async () => {
    const r = await cli(['bench', 'hrc', '--json', '--trace', vscsi]);
    expect((JSON.parse(r.stdout) as { references: number }).references).toBe(113_872);
    const missing = await cli(['bench', 'hrc', '--trace', 'nope.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('cvhrc: cannot read nope.txt: no such file\n');
  });
});

describe('cvhrc bench accuracy', () => {
  test('--json rows: loops are measured exactly, every MAE is in [0, 1]', async () => {
    const r = await cli(['bench', 'accuracy', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      bench: string;
      rows: { trace: string; maeAll: number; pageNeedExact: number; pageNeedCvhrc: number }[];
    };
    expect(j.bench).toBe('accuracy');
    expect(j.rows.length).toBeGreaterThanOrEqual(5);
    for (const row of j.rows) {
      expect(row.maeAll).toBeGreaterThanOrEqual(0);
      expect(row.maeAll).toBeLessThanOrEqual(1);
    }
    for (const row of j.rows.filter((x) => x.trace.startsWith('loop'))) {
      expect(row.maeAll).toBeLessThan(0.01);
      expect(row.pageNeedCvhrc).toBe(row.pageNeedExact);
    }
  });
});
