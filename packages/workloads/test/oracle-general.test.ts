import { describe, expect, test } from 'vitest';
import { readOracleGeneral } from '@cvhrc/workloads';
import { CHUNK_SIZES, chunked, formatError, oracleGeneral, pagesOf } from './helpers.js';

describe('readOracleGeneral', () => {
  test('one reference per record, to obj_id', async () => {
    const ids = [5, 3, 5, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER, 0];
    const trace = readOracleGeneral(oracleGeneral(ids));
    expect(await pagesOf(trace)).toEqual(ids);
    expect(trace.stats).toMatchObject({ records: 6, references: 6, bytesRead: 144 });
  });

  test.each(CHUNK_SIZES)('gives the same pages whatever the chunk size (%i)', async (size) => {
    const ids = Array.from({ length: 50 }, (_, i) => (i * 31) % 17);
    expect(await pagesOf(readOracleGeneral(chunked(oracleGeneral(ids), size)))).toEqual(ids);
  });

  test('obj_ids above 2^53−1 are an error, unless renumbered densely', async () => {
    const ids = [7n, 2n ** 64n - 1n, 7n, 2n ** 53n, 2n ** 64n - 1n, 9n];
    const error = await formatError(readOracleGeneral(oracleGeneral(ids), { source: 'o.bin' }));
    expect(error.message).toBe(
      "o.bin: byte offset 24: expected an obj_id ≤ 2^53−1 (ids: 'dense' renumbers larger ids), got obj_id = 18446744073709551615",
    );
    expect(await pagesOf(readOracleGeneral(oracleGeneral(ids), { ids: 'dense' }))).toEqual([
      0, 1, 0, 2, 1, 3,
    ]);
  });

  test('a truncated last record is an error at its byte offset', async () => {
    const bytes = oracleGeneral([1, 2, 3]).subarray(0, 60);
    const error = await formatError(readOracleGeneral(bytes, { source: 'o' }));
    expect(error.message).toBe(
      'o: byte offset 48: expected a complete 24-byte oracleGeneral record, got 12 bytes at the end (truncated trace?)',
    );
  });
});
