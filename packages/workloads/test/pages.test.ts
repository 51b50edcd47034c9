import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_BATCH_SIZE, readPages, readTrace, TraceFormatError } from '@cvhrc/workloads';
import { CHUNK_SIZES, chunked, formatError, pagesOf, text } from './helpers.js';

const SAMPLE = ['# a page trace', '42', '  7\t', '0x10', '0XfF # hex, with a comment', ''].join(
  '\n',
);

describe('readPages', () => {
  test('reads decimal and hex page numbers, comments, spaces', async () => {
    const trace = readPages(text(SAMPLE), { source: 'sample.txt' });
    expect(await pagesOf(trace)).toEqual([42, 7, 16, 255]);
    expect(trace.stats).toMatchObject({
      format: 'pages',
      source: 'sample.txt',
      compression: 'none',
      records: 4,
      references: 4,
      otherLines: 1,
      bytesRead: SAMPLE.length,
      bytesDecoded: SAMPLE.length,
      done: true,
    });
  });

  test.each(CHUNK_SIZES)('gives the same pages whatever the chunk size (%i)', async (size) => {
    const input = text('1\r\n22\r\n333\n0x4444\n55555\n# end\n666666');
    expect(await pagesOf(readPages(chunked(input, size)))).toEqual([
      1, 22, 333, 0x4444, 55555, 666666,
    ]);
  });

  test('a last line without a line feed is read', async () => {
    expect(await pagesOf(readPages(text('1\n2')))).toEqual([1, 2]);
    expect(await pagesOf(readPages(text('5')))).toEqual([5]);
  });

  test('an empty trace has no references', async () => {
    const trace = readPages(new Uint8Array(0));
    expect(await pagesOf(trace)).toEqual([]);
    expect(trace.stats.done).toBe(true);
    expect(trace.stats.compression).toBe('none');
  });

  test('page numbers up to 2^53−1 are exact', async () => {
    expect(
      await pagesOf(
        readPages(text('9007199254740991\n0x1fffffffffffff\n0000000000000000000012\n')),
      ),
    ).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 12]);
  });

  test('a UTF-8 byte-order mark at the start is skipped', async () => {
    expect(await pagesOf(readPages(chunked(text('\uFEFF3\n4\n'), 1)))).toEqual([3, 4]);
  });

  test.each([
    ['12a', 3, '"12a"'],
    ['-1', 3, '"-1"'],
    ['1.5', 3, '"1.5"'],
    ['0x', 3, '"0x"'],
    ['0xg1', 3, '"0xg1"'],
    ['1 2', 3, '"1 2"'],
    ['', 3, 'an empty line'],
    ['   ', 3, '"   "'],
  ])('refuses %j on its line', async (bad, line, found) => {
    const error = await formatError(readPages(text(`1\n2\n${bad}\n4\n`), { source: 'trace.txt' }));
    expect(error.source).toBe('trace.txt');
    expect(error.line).toBe(line);
    expect(error.found).toBe(found);
    expect(error.message).toBe(
      `trace.txt:${line}: expected a page number (decimal or 0x-hex), got ${found}`,
    );
  });

  test('refuses an empty line at the end, after the last line feed', async () => {
    const error = await formatError(readPages(text('1\n2\n\n'), { source: 't' }));
    expect(error.message).toBe(
      't:3: expected a page number (decimal or 0x-hex), got an empty line',
    );
  });

  test('refuses page numbers above 2^53−1', async () => {
    const error = await formatError(readPages(text('1\n9007199254740992\n'), { source: 't' }));
    expect(error.line).toBe(2);
    expect(error.message).toContain('≤ 2^53−1');
    await formatError(readPages(text('0x20000000000000\n')));
    await formatError(readPages(text(`${'9'.repeat(400)}\n`)));
  });

  test('the line number counts comment lines and is right across chunks', async () => {
    const input = text('# c\n1\n# c\n2\nx\n');
    for (const size of CHUNK_SIZES) {
      expect((await formatError(readPages(chunked(input, size)))).line).toBe(5);
    }
  });

  test('long lines in errors are cut', async () => {
    const error = await formatError(readPages(text(`${'x'.repeat(500)}\n`)));
    expect(error.found!.length).toBeLessThan(80);
    expect(error.found).toContain('(cut)');
  });

  test('property: formatted page numbers read back in order, whatever the chunks', async () => {
    const entry = fc.record({
      page: fc.maxSafeNat(),
      hex: fc.boolean(),
      pad: fc.constantFrom('', ' ', '\t', '  '),
      crlf: fc.boolean(),
      comment: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        async (entries, chunkSize, finalNewline) => {
          let s = '';
          entries.forEach((e, i) => {
            if (e.comment) s += `# note ${i}\n`;
            s += `${e.pad}${e.hex ? `0x${e.page.toString(16)}` : e.page}${e.pad}`;
            if (i < entries.length - 1 || finalNewline) s += e.crlf ? '\r\n' : '\n';
          });
          const pages = await pagesOf(readPages(chunked(text(s), chunkSize)));
          expect(pages).toEqual(entries.map((e) => e.page));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('batches', () => {
  const input = text(Array.from({ length: 10 }, (_, i) => String(i)).join('\n'));

  test('hold batchSize references, each a new array by default', async () => {
    const batches: Float64Array[] = [];
    for await (const b of readPages(input, { batchSize: 4 })) batches.push(b);
    expect(batches.map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(new Set(batches.map((b) => b.buffer)).size).toBe(3);
  });

  test('with reuseBatches, are views of one buffer, valid until the next step', async () => {
    const seen: number[][] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const b of readPages(chunked(input, 3), { batchSize: 4, reuseBatches: true })) {
      seen.push(Array.from(b));
      buffers.add(b.buffer);
    }
    expect(seen).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(buffers.size).toBe(1);
  });

  test('collect() copies reused batches', async () => {
    const pages = await readPages(input, { batchSize: 3, reuseBatches: true }).collect();
    expect(Array.from(pages)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('the default batch size is 65,536', async () => {
    expect(DEFAULT_BATCH_SIZE).toBe(65536);
    const n = 150_000;
    const big = text(Array.from({ length: n }, (_, i) => String(i)).join('\n'));
    const lengths: number[] = [];
    for await (const b of readPages(chunked(big, 100_000))) lengths.push(b.length);
    expect(lengths).toEqual([65536, 65536, n - 2 * 65536]);
  });

  test('refuses a bad batch size', () => {
    expect(() => readPages(input, { batchSize: 0 })).toThrow(RangeError);
    expect(() => readPages(input, { batchSize: 1.5 })).toThrow(RangeError);
  });
});

describe('a trace', () => {
  test('can be iterated once only', async () => {
    const trace = readPages(text('1\n'));
    await trace.collect();
    expect(() => trace[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  test('stopped early is not done, and its source is closed', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        await Promise.resolve();
        for (let i = 0; i < 1000; i++) yield text(`${i}\n`);
      } finally {
        closed = true;
      }
    }
    const trace = readPages(source(), { batchSize: 2 });
    for await (const b of trace) {
      expect(Array.from(b)).toEqual([0, 1]);
      break;
    }
    expect(closed).toBe(true);
    expect(trace.stats.done).toBe(false);
  });

  test('accepts a Uint8Array, an array of chunks, an async iterable and a ReadableStream', async () => {
    const bytes = text('1\n2\n3');
    const parts = [bytes.slice(0, 3), bytes.slice(3)];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(p);
        controller.close();
      },
    });
    // A stream without Symbol.asyncIterator, as in browsers that lack it.
    const bare = {
      getReader: () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const p of parts) controller.enqueue(p);
            controller.close();
          },
        }).getReader(),
    };
    for (const input of [bytes, parts, chunked(bytes, 2), stream, bare]) {
      expect(await pagesOf(readPages(input))).toEqual([1, 2, 3]);
    }
  });

  test('refuses chunks that are not bytes', async () => {
    await expect(readPages(['1\n'] as unknown as Uint8Array[]).collect()).rejects.toThrow(
      /Uint8Array chunks, got a string/,
    );
  });

  test('passes source errors on unchanged', async () => {
    const boom = new Error('disk on fire');
    async function* failing(): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      yield text('1\n');
      throw boom;
    }
    await expect(readPages(failing()).collect()).rejects.toBe(boom);
  });
});

describe('readTrace', () => {
  test('dispatches on the format and ignores options of other formats', async () => {
    const trace = readTrace(text('3\n4\n'), {
      format: 'pages',
      instructions: true,
      delimiter: ';',
    });
    expect(trace.format).toBe('pages');
    expect(await pagesOf(trace)).toEqual([3, 4]);
  });

  test('refuses an unknown format', () => {
    expect(() => readTrace(text(''), { format: 'nope' as unknown as 'pages' })).toThrow(
      /unknown trace format "nope"/,
    );
  });

  test('errors are TraceFormatError with a name', async () => {
    const error = await formatError(readPages(text('x')));
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(TraceFormatError);
    expect(error.name).toBe('TraceFormatError');
    expect(error.source).toBe('<trace>');
  });
});
