// The real CloudPhysics traces in the shared folder (../shared/traces next to the repo, in
// development and in CI). See shared/traces/README.md for their facts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readPages, readVscsi } from '@cvhrc/workloads';
import { readTraceFile } from '@cvhrc/workloads/node';
import { tempDir } from './helpers.js';

/** The repository root: the nearest folder up from this file with pnpm-workspace.yaml. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no pnpm-workspace.yaml above the test file');
    dir = up;
  }
  return dir;
}

const TRACES = resolve(repoRoot(), '../shared/traces');
const TXT = join(TRACES, 'cloudPhysicsIO.txt');
const VSCSI = join(TRACES, 'cloudPhysicsIO.vscsi');
const REQUESTS = 113_872;
const FIRST = [42932745, 42932746, 42932747, 40409911, 31954535];

describe('shared CloudPhysics traces', () => {
  beforeAll(() => {
    // CI has the shared folder beside the repository: its absence is a broken setup.
    expect(existsSync(TXT), `missing ${TXT} (shared traces beside the repo)`).toBe(true);
    expect(existsSync(VSCSI), `missing ${VSCSI}`).toBe(true);
  });
  const tmp = tempDir();
  afterAll(() => {
    tmp.remove();
  });

  test('cloudPhysicsIO.txt: 113,872 references, no final line feed', async () => {
    const trace = readTraceFile(TXT);
    const pages = await trace.collect();
    expect(pages.length).toBe(REQUESTS);
    expect(Array.from(pages.subarray(0, 5))).toEqual(FIRST);
    expect(trace.stats).toMatchObject({
      format: 'pages',
      compression: 'none',
      bytesRead: 1_007_325,
      records: REQUESTS,
      references: REQUESTS,
      done: true,
    });
    expect(new Set(pages).size).toBe(48_974);
  });

  test('cloudPhysicsIO.vscsi gives the same sequence of lbns', async () => {
    const [txt, vscsi] = await Promise.all([
      readTraceFile(TXT).collect(),
      readTraceFile(VSCSI).collect(),
    ]);
    expect(vscsi.length).toBe(REQUESTS);
    expect(vscsi).toEqual(txt);
  });

  test('the same through the platform-neutral entry, in odd chunks, gzip and not', async () => {
    const bytes = new Uint8Array(readFileSync(TXT));
    const chunks = (b: Uint8Array): Uint8Array[] => {
      const out: Uint8Array[] = [];
      for (let i = 0; i < b.length; i += 4093) out.push(b.subarray(i, i + 4093));
      return out;
    };
    const plain = await readPages(chunks(bytes)).collect();
    const gz = await readPages(chunks(gzipSync(bytes))).collect();
    const vscsi = await readVscsi(chunks(new Uint8Array(readFileSync(VSCSI)))).collect();
    expect(plain.length).toBe(REQUESTS);
    expect(gz).toEqual(plain);
    expect(vscsi).toEqual(plain);
    const gzPath = tmp.write('cloudPhysicsIO.txt.gz', gzipSync(bytes));
    expect(await readTraceFile(gzPath).collect()).toEqual(plain);
  });

  test("expand: 'pages' references every 4 KiB page of each request", async () => {
    // Independent check from the record layout: lbn at 16, len at 4, 32-byte records.
    const raw = readFileSync(VSCSI);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const expected: number[] = [];
    for (let at = 0; at < raw.length; at += 32) {
      const byteStart = Number(view.getBigUint64(at + 16, true)) * 512;
      const len = view.getUint32(at + 4, true);
      const last = Math.floor((byteStart + Math.max(len, 1) - 1) / 4096);
      for (let p = Math.floor(byteStart / 4096); p <= last; p++) expected.push(p);
    }
    const pages = await readTraceFile(VSCSI, { expand: 'pages' }).collect();
    expect(pages.length).toBe(expected.length);
    expect(Array.from(pages)).toEqual(expected);
  });
});
