import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readVscsi } from '@cvhrc/workloads';
import { CHUNK_SIZES, chunked, formatError, pagesOf, vscsiV1, vscsiV2 } from './helpers.js';

const REQUESTS = [
  { lbn: 42932745, len: 512 },
  { lbn: 40409911, len: 6656 }, // blocks 40409911 … 40409923: pages 5051238 … 5051240
  { lbn: 16, len: 4096 }, // exactly page 2
  { lbn: 17, len: 0 }, // no bytes: its starting page only
  { lbn: 2 ** 40, len: 8192 },
];

describe('readVscsi', () => {
  test('v1: one reference per request, to its starting block', async () => {
    const trace = readVscsi(vscsiV1(REQUESTS));
    expect(await pagesOf(trace)).toEqual(REQUESTS.map((r) => r.lbn));
    expect(trace.stats).toMatchObject({ records: 5, references: 5, bytesDecoded: 160 });
  });

  test("expand: 'pages' references every 4 KiB page a request covers", async () => {
    expect(await pagesOf(readVscsi(vscsiV1(REQUESTS), { expand: 'pages' }))).toEqual([
      5366593,
      5051238,
      5051239,
      5051240,
      2,
      2,
      2 ** 37,
      2 ** 37 + 1,
    ]);
  });

  test('pageSize sets the page of expand', async () => {
    expect(
      await pagesOf(readVscsi(vscsiV1(REQUESTS), { expand: 'pages', pageSize: 8192 })),
    ).toEqual([2683296, 2525619, 2525620, 1, 1, 2 ** 36]);
    expect(() => readVscsi(vscsiV1([]), { pageSize: 1000 })).toThrow(RangeError);
  });

  test('v2 (40-byte records) is detected', async () => {
    const trace = readVscsi(vscsiV2(REQUESTS));
    expect(await pagesOf(trace)).toEqual(REQUESTS.map((r) => r.lbn));
    expect(await pagesOf(readVscsi(vscsiV2(REQUESTS), { expand: 'pages' }))).toEqual([
      5366593,
      5051238,
      5051239,
      5051240,
      2,
      2,
      2 ** 37,
      2 ** 37 + 1,
    ]);
    expect(await pagesOf(readVscsi(vscsiV2(REQUESTS.slice(0, 1))))).toEqual([42932745]);
  });

  test.each(CHUNK_SIZES)('gives the same pages whatever the chunk size (%i)', async (size) => {
    for (const bytes of [vscsiV1(REQUESTS), vscsiV2(REQUESTS)]) {
      expect(await pagesOf(readVscsi(chunked(bytes, size), { expand: 'pages' }))).toEqual([
        5366593,
        5051238,
        5051239,
        5051240,
        2,
        2,
        2 ** 37,
        2 ** 37 + 1,
      ]);
    }
  });

  test('gzip-compressed records', async () => {
    const trace = readVscsi(gzipSync(vscsiV1(REQUESTS)));
    expect(await pagesOf(trace)).toEqual(REQUESTS.map((r) => r.lbn));
    expect(trace.stats.compression).toBe('gzip');
  });

  test('an empty trace has no references', async () => {
    expect(await pagesOf(readVscsi(new Uint8Array(0)))).toEqual([]);
  });

  test('a truncated last record is an error at its byte offset', async () => {
    const bytes = vscsiV1(REQUESTS).subarray(0, 32 * 3 + 17);
    for (const size of [1, 32, 1000]) {
      const error = await formatError(readVscsi(chunked(bytes, size), { source: 'x.vscsi' }));
      expect(error.byteOffset).toBe(96);
      expect(error.message).toBe(
        'x.vscsi: byte offset 96: expected a complete 32-byte VSCSI v1 record, got 17 bytes at the end (truncated trace?)',
      );
    }
  });

  test('every record’s version is checked', async () => {
    const bytes = vscsiV1([{ lbn: 1 }, { lbn: 2 }, { lbn: 3, ver: 0x0200 }]);
    const error = await formatError(readVscsi(bytes, { source: 'v' }));
    expect(error.message).toBe(
      'v: byte offset 64: expected a VSCSI v1 record (ver >> 8 == 1), got ver = 0x0200',
    );
  });

  test('a stated version must match', async () => {
    const error = await formatError(readVscsi(vscsiV1([{ lbn: 1 }]), { vscsiVersion: 2 }));
    expect(error.byteOffset).toBe(0);
  });

  test('unknown records are an error naming both layouts', async () => {
    const error = await formatError(readVscsi(new Uint8Array(64), { source: 'z' }));
    expect(error.message).toMatch(/^z: byte offset 0: expected VSCSI records of version 1 .* or 2/);
    expect((await formatError(readVscsi(new Uint8Array(10)))).found).toBe('only 10 bytes');
  });

  test('an lbn above 2^53−1 is an error', async () => {
    const error = await formatError(readVscsi(vscsiV1([{ lbn: 1 }, { lbn: 2n ** 53n }])));
    expect(error.byteOffset).toBe(32);
    expect(error.found).toBe(`lbn = ${2n ** 53n}`);
  });

  test('byte offsets count decompressed bytes in compressed traces', async () => {
    const bytes = gzipSync(vscsiV1([{ lbn: 1 }, { lbn: 2 }, { lbn: 3, ver: 0x0300 }]));
    const error = await formatError(readVscsi(bytes, { source: 'v.gz' }));
    expect(error.message).toMatch(/^v\.gz: byte offset 64 of the decompressed data: expected/);
  });
});
