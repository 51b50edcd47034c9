import { describe, expect, test } from 'vitest';
import { cli } from './helpers.js';
import pkg from '../package.json' with { type: 'json' };

describe('the cvhrc program', () => {
  test('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('--help lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('machine');
    expect(r.stdout).toContain('bench');
  });

  test('an unknown command is one line on stderr and a non-zero exit', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cvhrc: unknown command 'frobnicate'/);
  });

  test('an unknown option is one line on stderr and a non-zero exit', async () => {
    const r = await cli(['machine', '--nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unknown option '--nope'");
  });
});
