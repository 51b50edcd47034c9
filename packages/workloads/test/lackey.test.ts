import { describe, expect, test } from 'vitest';
import { readLackey } from '@cvhrc/workloads';
import { CHUNK_SIZES, chunked, formatError, pagesOf, text } from './helpers.js';

const LACKEY = [
  '==12345== Lackey, an example Valgrind tool',
  "==12345== Copyright (C) 2002-2017, and GNU GPL'd, by Nicholas Nethercote.",
  '==12345== Command: ./a.out',
  '==12345== ',
  'I  04000000,3',
  ' S 04222ca8,4',
  'I  04000003,5',
  ' L 04222cac,8',
  ' M 0421d118,4',
  'I  04000fff,2', // straddles two code pages
  ' L 0421dffe,4', // straddles two data pages
  ' S 7ff000398,8',
  '==12345== ',
  '==12345== I   refs:      3',
].join('\n');

describe('readLackey', () => {
  test('data references by default: page = address >> 12, straddling accesses touch both pages', async () => {
    const trace = readLackey(text(LACKEY), { source: 'ls.lackey' });
    expect(await pagesOf(trace)).toEqual([0x4222, 0x4222, 0x421d, 0x421d, 0x421e, 0x7ff000]);
    expect(trace.stats).toMatchObject({
      records: 5,
      references: 6,
      excluded: 3,
      otherLines: 6,
      done: true,
    });
  });

  test('instructions: true adds instruction fetches', async () => {
    expect(await pagesOf(readLackey(text(LACKEY), { instructions: true }))).toEqual([
      0x4000, 0x4222, 0x4000, 0x4222, 0x421d, 0x4000, 0x4001, 0x421d, 0x421e, 0x7ff000,
    ]);
  });

  test("modify: 'loadStore' makes an M line a load then a store", async () => {
    const input = text(' M 00000ffe,4\n M 00005000,4\n');
    expect(await pagesOf(readLackey(input))).toEqual([0, 1, 5]);
    expect(await pagesOf(readLackey(input, { modify: 'loadStore' }))).toEqual([0, 1, 0, 1, 5, 5]);
  });

  test('pageSize sets the page shift', async () => {
    const input = text(' L 00003000,4\n L 00002fff,2\n');
    expect(await pagesOf(readLackey(input, { pageSize: 8192 }))).toEqual([1, 1]);
    expect(await pagesOf(readLackey(input, { pageSize: 1 << 16 }))).toEqual([0, 0]);
    expect(await pagesOf(readLackey(input, { pageSize: 1 }))).toEqual([
      0x3000, 0x3001, 0x3002, 0x3003, 0x2fff, 0x3000,
    ]);
    expect(() => readLackey(input, { pageSize: 3000 })).toThrow(RangeError);
  });

  test('64-bit addresses stay exact', async () => {
    const input = text(' L ffffffffff600000,8\n S ffffffffffffffff,1\n L 00007ffffffff000,4096\n');
    expect(await pagesOf(readLackey(input))).toEqual([
      0xffffffffff600, 0xfffffffffffff, 0x7ffffffff,
    ]);
    expect(
      await pagesOf(readLackey(text(' L ffffffffffffffff,1\n'), { pageSize: 2 ** 32 })),
    ).toEqual([0xffffffff]);
  });

  test.each(CHUNK_SIZES)('gives the same pages whatever the chunk size (%i)', async (size) => {
    const input = text(`${LACKEY.replaceAll('\n', '\r\n')}`);
    expect(await pagesOf(readLackey(chunked(input, size)))).toEqual([
      0x4222, 0x4222, 0x421d, 0x421d, 0x421e, 0x7ff000,
    ]);
  });

  test.each([
    ['X 04000000,3', 'an unknown kind'],
    [' L04222cac,8', 'no space after the kind'],
    [' L 04222cac', 'no size'],
    [' L 04222cac,', 'an empty size'],
    [' L 0422zcac,8', 'a bad address'],
    [' L ,8', 'no address'],
    [' L 04222cac,8x', 'junk after the size'],
    ['', 'an empty line'],
    ['hello from the program', 'program output'],
    [' L 1ffffffffffffffff,1', 'an address over 64 bits'],
  ])('refuses %j (%s) on its line', async (bad) => {
    const error = await formatError(
      readLackey(text(`==1== x\n L 1000,4\n${bad}\n L 2000,4\n`), { source: 'prog.lackey' }),
    );
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^prog\.lackey:3: expected a lackey record/);
  });

  test('refuses a zero or huge size', async () => {
    const zero = await formatError(readLackey(text(' L 1000,0\n'), { source: 's' }));
    expect(zero.message).toBe(
      's:1: expected an access size from 1 to 1048576 bytes, got " L 1000,0"',
    );
    await formatError(readLackey(text(' L 1000,2000000\n')));
  });

  test('refuses accesses whose page numbers pass 2^53−1', async () => {
    const error = await formatError(readLackey(text(' L ffffffffffffffff,1\n'), { pageSize: 1 }));
    expect(error.expected).toContain('≤ 2^53−1');
    await formatError(readLackey(text(' L ffffffffffffffff,2\n')));
  });

  test('an access over many pages may overflow a batch', async () => {
    const input = text(' L 00000000,16\n L 00000010,1\n');
    const batches: number[][] = [];
    for await (const b of readLackey(input, { pageSize: 1, batchSize: 4 }))
      batches.push(Array.from(b));
    expect(batches.map((b) => b.length)).toEqual([16, 1]);
    expect(batches.flat()).toEqual([...Array.from({ length: 16 }, (_, i) => i), 16]);
  });

  test('refuses a bad modify option', () => {
    expect(() => readLackey(text(''), { modify: 'twice' as 'one' })).toThrow(RangeError);
  });
});
