import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { compressionFromMagic, readOracleGeneral, readPages } from '@cvhrc/workloads';
import { CHUNK_SIZES, chunked, formatError, pagesOf, text } from './helpers.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));

const PAGES = text(Array.from({ length: 5000 }, (_, i) => String((i * 37) % 1000)).join('\n'));
const EXPECTED = Array.from({ length: 5000 }, (_, i) => (i * 37) % 1000);

describe('gzip', () => {
  test.each(CHUNK_SIZES)('is detected and decompressed (chunks of %i)', async (size) => {
    const gz = new Uint8Array(gzipSync(PAGES));
    const trace = readPages(chunked(gz, size));
    expect(await pagesOf(trace)).toEqual(EXPECTED);
    expect(trace.stats).toMatchObject({
      compression: 'gzip',
      bytesRead: gz.length,
      bytesDecoded: PAGES.length,
      references: 5000,
    });
  });

  test('concatenated gzip members read as one trace', async () => {
    const gz = new Uint8Array([...gzipSync(text('1\n2\n')), ...gzipSync(text('3\n4'))]);
    expect(await pagesOf(readPages(gz))).toEqual([1, 2, 3, 4]);
  });

  test('corrupt or truncated data is a TraceFormatError naming gzip', async () => {
    const gz = new Uint8Array(gzipSync(PAGES));
    const truncated = await formatError(readPages(gz.slice(0, gz.length - 20), { source: 't.gz' }));
    expect(truncated.message).toMatch(
      /^t\.gz: expected valid gzip data, got a decompression error/,
    );
    const mangled = gz.slice();
    mangled.fill(0xff, 20, 60);
    expect((await formatError(readPages(mangled))).expected).toBe('valid gzip data');
  });

  test('a parse error inside gzip data names the line', async () => {
    const error = await formatError(readPages(gzipSync(text('1\n2\nthree\n')), { source: 't.gz' }));
    expect(error.message).toBe('t.gz:3: expected a page number (decimal or 0x-hex), got "three"');
  });

  test('stopping early tears the stream down and closes the source', async () => {
    let closed = false;
    const gz = new Uint8Array(gzipSync(PAGES));
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        await Promise.resolve();
        yield* chunked(gz, 100);
      } finally {
        closed = true;
      }
    }
    for await (const batch of readPages(source(), { batchSize: 10 })) {
      expect(batch.length).toBe(10);
      break;
    }
    expect(closed).toBe(true);
  });

  test('a source error inside gzip is passed on unchanged', async () => {
    const boom = new Error('network down');
    const gz = new Uint8Array(gzipSync(PAGES));
    async function* source(): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      yield gz.slice(0, 100);
      throw boom;
    }
    await expect(readPages(source()).collect()).rejects.toBe(boom);
  });
});

describe('zstd', () => {
  test.each(CHUNK_SIZES)('reads every frame of a multi-frame file (chunks of %i)', async (size) => {
    const trace = readPages(chunked(fixture('pages-two-frames.txt.zst'), size));
    expect(await pagesOf(trace)).toEqual([1, 2, 16, 3, 4]);
    expect(trace.stats.compression).toBe('zstd');
  });

  test('skips skippable frames', async () => {
    const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const zst = fixture('pages-two-frames.txt.zst');
    const input = new Uint8Array([...zst.subarray(0, 22), ...skippable, ...zst.subarray(22)]);
    // The first frame is 22 bytes long: check that the cut is at a frame boundary.
    expect(Array.from(zst.subarray(22, 26))).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect(await pagesOf(readPages(chunked(input, 5)))).toEqual([1, 2, 16, 3, 4]);
    // A skippable frame first is recognised as zstd too.
    expect(await pagesOf(readPages(new Uint8Array([...skippable, ...zst])))).toEqual([
      1, 2, 16, 3, 4,
    ]);
  });

  test('multi-block oracleGeneral frames, whatever the chunk size', async () => {
    const expected = Array.from({ length: 12000 }, (_, i) => (i * 7919) % 211);
    for (const size of [1000, 4096, 1 << 20]) {
      const trace = readOracleGeneral(chunked(fixture('two-frames.oracleGeneral.zst'), size));
      expect(await pagesOf(trace)).toEqual(expected);
      expect(trace.stats).toMatchObject({ compression: 'zstd', bytesDecoded: 12000 * 24 });
    }
  });

  test('truncated data is a TraceFormatError naming zstd', async () => {
    const zst = fixture('two-frames.oracleGeneral.zst');
    const error = await formatError(readOracleGeneral(zst.slice(0, 20000), { source: 'x.zst' }));
    expect(error.message).toMatch(/^x\.zst: expected valid zstd data, got a decompression error/);
  });
});

describe('compression option', () => {
  test('magic bytes', () => {
    expect(compressionFromMagic(new Uint8Array([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(compressionFromMagic(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(compressionFromMagic(text('12\n'))).toBe('none');
    expect(compressionFromMagic(new Uint8Array(0))).toBe('none');
  });

  test("'none' reads compressed bytes as they are", async () => {
    const error = await formatError(readPages(gzipSync(text('1\n')), { compression: 'none' }));
    expect(error.line).toBe(1);
  });

  test('a stated compression that the bytes do not have is an error at byte 0', async () => {
    const error = await formatError(
      readPages(text('1\n2\n'), { compression: 'zstd', source: 'p' }),
    );
    expect(error.message).toBe(
      'p: byte offset 0: expected zstd data (magic bytes 28 b5 2f fd), got 31 0a 32 0a',
    );
  });

  test('refuses an unknown compression', () => {
    expect(() => readPages(text(''), { compression: 'xz' as 'gzip' })).toThrow(RangeError);
  });
});
