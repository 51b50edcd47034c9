// Formatting helpers of the CLI's output.
import { expect, test } from 'vitest';
import { formatDuration, formatRate } from '../src/output.js';

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
