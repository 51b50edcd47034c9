import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { TraceFormatError, UnknownTraceFormatError } from '@cvhrc/workloads';
import { fileChunks, readTraceFile } from '@cvhrc/workloads/node';
import { oracleGeneral, pagesOf, tempDir, text, vscsiV1 } from './helpers.js';

const tmp = tempDir();
afterAll(() => {
  tmp.remove();
});

describe('readTraceFile', () => {
  test('detects each format from the file name', async () => {
    const files: [string, Uint8Array | string, number[]][] = [
      ['a.txt', '1\n2\n0x3', [1, 2, 3]],
      ['a.pages.gz', gzipSync(text('4\n5\n')), [4, 5]],
      ['a.lackey', 'I  04000000,3\n L 00005000,4\n', [5]],
      ['a.csv', 'id\n7\n8\n', [7, 8]],
      ['a.vscsi', vscsiV1([{ lbn: 9 }, { lbn: 10 }]), [9, 10]],
      ['a.oracleGeneral.bin', oracleGeneral([11, 12]), [11, 12]],
    ];
    for (const [name, data, pages] of files) {
      const trace = readTraceFile(tmp.write(name, data));
      expect(await pagesOf(trace)).toEqual(pages);
      expect(trace.stats.done).toBe(true);
    }
  });

  test('format and format options given explicitly', async () => {
    const path = tmp.write('trace.data', 'I  04000000,3\n L 00005000,4\n');
    const trace = readTraceFile(path, { format: 'lackey', instructions: true });
    expect(trace.format).toBe('lackey');
    expect(await pagesOf(trace)).toEqual([0x4000, 5]);
  });

  test('a name that tells no format asks for one', () => {
    expect(() => readTraceFile(tmp.write('trace.data', '1\n'))).toThrow(UnknownTraceFormatError);
  });

  test('errors name the file, and are the main entry’s TraceFormatError', async () => {
    const path = tmp.write('bad.txt', '1\n2\n12a\n');
    await expect(readTraceFile(path).collect()).rejects.toThrow(
      new TraceFormatError(path, { line: 3 }, 'a page number (decimal or 0x-hex)', '"12a"'),
    );
    await expect(readTraceFile(path).collect()).rejects.toBeInstanceOf(TraceFormatError);
    await expect(readTraceFile(path, { source: 'nice-name' }).collect()).rejects.toThrow(
      /^nice-name:3: /,
    );
  });

  test('a missing file fails when read, with the system error', async () => {
    const trace = readTraceFile(`${tmp.dir}/missing.txt`);
    await expect(trace.collect()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('bytesRead counts the file; small chunks work', async () => {
    const data = gzipSync(text(Array.from({ length: 1000 }, (_, i) => i).join('\n')));
    const path = tmp.write('n.txt.gz', data);
    const trace = readTraceFile(path, { chunkSize: 7 });
    expect((await trace.collect()).length).toBe(1000);
    expect(trace.stats).toMatchObject({ bytesRead: data.length, compression: 'gzip' });
  });
});

describe('fileChunks', () => {
  test('yields the file in chunks of the given size', async () => {
    const path = tmp.write('bytes.bin', new Uint8Array(10).fill(1));
    const sizes: number[] = [];
    for await (const c of fileChunks(path, { chunkSize: 4 })) sizes.push(c.length);
    expect(sizes).toEqual([4, 4, 2]);
    expect(() => fileChunks(path, { chunkSize: 0 })).toThrow(RangeError);
  });
});
