// Formatting and file helpers of the CLI's output.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CliError } from '../src/errors.js';
import {
  checkReadableFile,
  checkWritable,
  checkWritableDir,
  formatDuration,
  formatRate,
  makeDirs,
  writeFileAtomic,
} from '../src/output.js';
import { tempDir } from './helpers.js';

test('formatDuration rounds to minutes and hours', () => {
  expect(formatDuration(0)).toBe('under a minute');
  expect(formatDuration(59.4)).toBe('under a minute');
  expect(formatDuration(Number.NaN)).toBe('under a minute');
  expect(formatDuration(60)).toBe('1 min');
  expect(formatDuration(12 * 60 + 20)).toBe('12 min');
  expect(formatDuration(3599)).toBe('1 h 00 min');
  expect(formatDuration(3600 + 5 * 60)).toBe('1 h 05 min');
});

test('formatRate uses k, M and G', () => {
  expect(formatRate(950)).toBe('950');
  expect(formatRate(12_345)).toBe('12.3 k');
  expect(formatRate(123_456_789)).toBe('123.5 M');
  expect(formatRate(2_500_000_000)).toBe('2.50 G');
});

test('makeDirs makes missing parents and accepts an existing directory', () => {
  const dir = tempDir('cvhrc-output-');
  const deep = join(dir, 'a', 'b', 'c');
  makeDirs(deep);
  makeDirs(deep);
  expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['c']);
});

test('makeDirs, checkWritable and writeFileAtomic refuse with a CliError naming the path', () => {
  const dir = tempDir('cvhrc-output-');
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  expect(() => makeDirs(join(file, 'sub'))).toThrow(
    new CliError(`cannot create directory ${file}/sub: a part of the path is not a directory`),
  );
  expect(() => makeDirs(file)).toThrow(
    new CliError(`cannot create directory ${file}: exists and is not a directory`),
  );
  expect(() => checkWritable(join(file, 'sub', 'o.json'))).toThrow(CliError);
  mkdirSync(join(dir, 'd'));
  expect(() => checkWritable(join(dir, 'd'))).toThrow(
    new CliError(`cannot write ${join(dir, 'd')}: is a directory`),
  );
  // A rename onto a directory fails after the temporary file was written: it is removed.
  expect(() => writeFileAtomic(join(dir, 'd'), 'text')).toThrow(/^cannot write .*: /);
  expect(readdirSync(dir).sort()).toEqual(['d', 'f']);
  // The probes leave nothing behind either.
  checkWritable(join(dir, 'new', 'o.json'));
  checkWritableDir(join(dir, 'out'));
  expect(readdirSync(join(dir, 'new'))).toEqual([]);
  expect(readdirSync(join(dir, 'out'))).toEqual([]);
  writeFileAtomic(join(dir, 'new', 'o.json'), 'whole');
  expect(readFileSync(join(dir, 'new', 'o.json'), 'utf8')).toBe('whole');
});

// Node 20's recursive mkdirSync retries for ever where a parent exists but refuses entries
// with ENOENT, as /proc does; makeDirs gives up with the reason.
test.runIf(existsSync('/proc/self'))('makeDirs under /proc fails at once', () => {
  expect(() => makeDirs('/proc/cvhrc-no/such')).toThrow(
    new CliError('cannot create directory /proc/cvhrc-no: no such file or directory'),
  );
});

test('checkReadableFile gives the size, or a CliError as the user typed the name', () => {
  const dir = tempDir('cvhrc-output-');
  writeFileSync(join(dir, 't.txt'), '1\n2\n');
  expect(checkReadableFile(join(dir, 't.txt'), 't.txt')).toBe(4);
  expect(() => checkReadableFile(join(dir, 'nope.txt'), 'nope.txt')).toThrow(
    new CliError('cannot read nope.txt: no such file'),
  );
  expect(() => checkReadableFile(dir, 'dir')).toThrow(new CliError('cannot read dir: not a file'));
});
