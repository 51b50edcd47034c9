import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { run } from '../src/program.js';
import type { Io } from '../src/output.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process on `argv`, capturing what it prints. */
export async function cli(argv: string[], cwd = process.cwd()): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    errIsTty: false,
  };
  const code = await run(argv, { io, cwd });
  return { code, stdout, stderr };
}

/**
 * A new directory under the system's temporary directory, removed (with what the test wrote
 * in it) when the calling test finishes, passed or failed.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
