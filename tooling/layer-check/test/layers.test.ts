import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { checkLayers as check } from '../check-layers.mjs';

const script = resolve(import.meta.dirname, '../check-layers.mjs');
const repoRoot = resolve(import.meta.dirname, '../../..');

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const pkg = (name: string, deps: Record<string, string> = {}) =>
  JSON.stringify({ name, dependencies: deps });

function runScript(root: string): { code: number; stderr: string } {
  try {
    execFileSync(process.execPath, [script, root], { stdio: 'pipe' });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stderr: Buffer };
    return { code: err.status, stderr: err.stderr.toString() };
  }
}

describe('layer check', () => {
  test('the repository itself follows the rules', () => {
    expect(check(repoRoot)).toEqual([]);
  });

  test('core importing mm fails, naming file and line', () => {
    const root = workspace({
      'packages/core/package.json': pkg('@cvhrc/core'),
      'packages/core/src/index.ts': "export const a = 1;\nimport { x } from '@cvhrc/mm';\n",
      'packages/mm/package.json': pkg('@cvhrc/mm'),
      'packages/mm/src/index.ts': 'export const x = 1;\n',
    });
    const v = check(root);
    expect(v).toEqual([
      {
        file: 'packages/core/src/index.ts',
        line: 2,
        message: '@cvhrc/core may not import @cvhrc/mm',
      },
    ]);
    const run = runScript(root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'packages/core/src/index.ts:2: @cvhrc/core may not import @cvhrc/mm',
    );
  });

  test('a forbidden dependency in package.json fails', () => {
    const root = workspace({
      'packages/hw/package.json': pkg('@cvhrc/hw', { '@cvhrc/mm': 'workspace:^' }),
      'packages/mm/package.json': pkg('@cvhrc/mm', { '@cvhrc/hw': 'workspace:^' }),
    });
    expect(check(root).map((x) => x.message)).toEqual([
      '@cvhrc/hw may not depend on @cvhrc/mm (dependencies)',
    ]);
  });

  test('dynamic imports, requires and deep imports are caught; allowed ones pass', () => {
    const root = workspace({
      'packages/mm/package.json': pkg('@cvhrc/mm'),
      'packages/mm/src/a.ts':
        "import { h } from '@cvhrc/hw';\nconst v = await import('@cvhrc/vserver');\nconst c = require('@cvhrc/core/src/x');\n",
      'apps/cli/package.json': pkg('cvhrc'),
      'apps/cli/src/bin.ts': "import '@cvhrc/benches';\n",
      'packages/benches/package.json': pkg('@cvhrc/benches'),
      'packages/benches/src/b.ts': "import { run } from 'cvhrc';\n",
    });
    expect(check(root)).toEqual([
      {
        file: 'packages/benches/src/b.ts',
        line: 1,
        message: '@cvhrc/benches may not import cvhrc',
      },
      { file: 'packages/mm/src/a.ts', line: 2, message: '@cvhrc/mm may not import @cvhrc/vserver' },
      { file: 'packages/mm/src/a.ts', line: 3, message: '@cvhrc/mm may not import @cvhrc/core' },
    ]);
  });

  test('a relative import into another package fails', () => {
    const root = workspace({
      'packages/core/package.json': pkg('@cvhrc/core'),
      'packages/core/src/index.ts': "export * from '../../hw/src/index.js';\n",
      'packages/hw/package.json': pkg('@cvhrc/hw'),
    });
    expect(check(root).map((x) => x.message)).toEqual([
      "relative import '../../hw/src/index.js' leaves @cvhrc/core; import the package by name",
    ]);
  });
});
