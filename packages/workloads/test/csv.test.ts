import { describe, expect, test } from 'vitest';
import { readCsv } from '@cvhrc/workloads';
import { CHUNK_SIZES, chunked, formatError, pagesOf, text } from './helpers.js';

const WITH_HEADER = ['time,obj_id,size', '1,100,4096', '2,0x65,512', '3,100,4096', ''].join('\n');

describe('readCsv', () => {
  test('a header is detected when the id field of line 1 is not an id', async () => {
    const trace = readCsv(text(WITH_HEADER), { idColumn: 2 });
    expect(await pagesOf(trace)).toEqual([100, 101, 100]);
    expect(trace.stats).toMatchObject({ records: 3, otherLines: 1, references: 3 });
  });

  test('no header is detected when line 1 holds an id', async () => {
    const trace = readCsv(text('7,1\n8,2\n'));
    expect(await pagesOf(trace)).toEqual([7, 8]);
    expect(trace.stats.otherLines).toBe(0);
  });

  test('columns by name, and a time column', async () => {
    expect(
      await pagesOf(readCsv(text(WITH_HEADER), { idColumn: 'obj_id', timeColumn: 'time' })),
    ).toEqual([100, 101, 100]);
  });

  test('header: false reads line 1 as data, and then a non-id there is an error', async () => {
    const error = await formatError(
      readCsv(text(WITH_HEADER), { idColumn: 2, header: false, source: 'c.csv' }),
    );
    expect(error.message).toBe(
      'c.csv:1: column 2: expected a non-negative integer id ≤ 2^53−1 (decimal or 0x-hex; ids: \'dense\' renumbers any text), got "obj_id"',
    );
  });

  test('header: true skips line 1 even when it looks like data', async () => {
    expect(await pagesOf(readCsv(text('1\n2\n3'), { header: true }))).toEqual([2, 3]);
  });

  test('another delimiter, spaces around fields, quotes, CRLF', async () => {
    const input = text('key\tsize\r\n 5 \t1\r\n"6"\t2\r\n  "0x7" \t3');
    expect(await pagesOf(readCsv(input, { delimiter: '\t' }))).toEqual([5, 6, 7]);
  });

  test('quoted fields may hold delimiters and doubled quotes', async () => {
    const input = text('name,id\n"a, ""b""",3\n"",4\n');
    expect(await pagesOf(readCsv(input, { idColumn: 'id' }))).toEqual([3, 4]);
    expect(await pagesOf(readCsv(input, { idColumn: 1, header: true, ids: 'dense' }))).toEqual([
      0, 1,
    ]);
  });

  test.each(CHUNK_SIZES)('gives the same pages whatever the chunk size (%i)', async (size) => {
    expect(
      await pagesOf(readCsv(chunked(text(WITH_HEADER), size), { idColumn: 'obj_id' })),
    ).toEqual([100, 101, 100]);
  });

  test("ids: 'dense' renumbers any id text in order of first appearance", async () => {
    const input = text('user-a,1\nuser-b,2\nuser-a,3\n"user-c",4\nuser-b,5\n42,6\n');
    const trace = readCsv(input, { ids: 'dense' });
    expect(await pagesOf(trace)).toEqual([0, 1, 0, 2, 1, 3]);
    expect(trace.stats.otherLines).toBe(0); // auto header means no header with dense ids
  });

  test('the error names line, column and header name', async () => {
    const input = text('time,obj_id\n1,5\n2,banana\n');
    const error = await formatError(readCsv(input, { idColumn: 'obj_id', source: 't.csv' }));
    expect(error.line).toBe(3);
    expect(error.column).toBe(2);
    expect(error.columnName).toBe('obj_id');
    expect(error.message).toMatch(
      /^t\.csv:3: column 2 \("obj_id"\): expected a non-negative integer id/,
    );
    expect(error.found).toBe('"banana"');
  });

  test.each([
    ['-3', '"-3"'],
    ['1.5', '"1.5"'],
    ['', 'an empty field'],
    ['" 1"', '" 1"'],
    ['9007199254740992', '"9007199254740992"'],
  ])('refuses the id %j', async (bad, found) => {
    const error = await formatError(readCsv(text(`0,1\n${bad},2\n`), { header: false }));
    expect(error.line).toBe(2);
    expect(error.found).toBe(found);
  });

  test('refuses a line with too few fields', async () => {
    const error = await formatError(readCsv(text('1,2\n3\n'), { idColumn: 2, source: 'f' }));
    expect(error.message).toBe('f:2: expected at least 2 fields, got 1: "3"');
  });

  test('refuses an unterminated quote and junk after a closing quote', async () => {
    const open = await formatError(readCsv(text('1\n"2\n'), { source: 'q' }));
    expect(open.message).toBe(
      'q:2: column 1: expected a closing quote on the same line, got "\\"2"',
    );
    const junk = await formatError(readCsv(text('"2"x,1\n')));
    expect(junk.expected).toBe('a delimiter after a closing quote');
  });

  test('refuses an empty line before the end', async () => {
    const error = await formatError(readCsv(text('1\n\n2\n')));
    expect(error.line).toBe(2);
    expect(error.found).toBe('an empty line');
  });

  test('refuses a bad time value', async () => {
    const error = await formatError(
      readCsv(text('t,id\n1,1\nnoon,2\n'), { idColumn: 'id', timeColumn: 't' }),
    );
    expect(error.line).toBe(3);
    expect(error.column).toBe(1);
    expect(error.expected).toBe('a time (a number)');
  });

  test('refuses a column name that the header lacks', async () => {
    const error = await formatError(readCsv(text('a,b\n1,2\n'), { idColumn: 'key', source: 'h' }));
    expect(error.message).toBe(
      'h:1: expected a header with a column named "key" (the id column), got the columns "a", "b"',
    );
  });

  test('refuses bad options', () => {
    expect(() => readCsv(text(''), { delimiter: ';;' })).toThrow(RangeError);
    expect(() => readCsv(text(''), { delimiter: '"' })).toThrow(RangeError);
    expect(() => readCsv(text(''), { idColumn: 0 })).toThrow(RangeError);
    expect(() => readCsv(text(''), { idColumn: 'id', header: false })).toThrow(RangeError);
  });
});
