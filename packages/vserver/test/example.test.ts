// The CvHRC example of the README: examples/three-contexts.mjs, run here, prints exactly the
// output pasted in the README.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, vi } from 'vitest';

test('examples/three-contexts.mjs prints what the README shows', async () => {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    const path = fileURLToPath(new URL('../examples/three-contexts.mjs', import.meta.url));
    await import(/* @vite-ignore */ path);
  } finally {
    log.mockRestore();
  }
  const out = lines.join('\n');
  expect(out).toMatch(/page need 1024 \(exact 1024\)/);
  expect(out).toMatch(/page need 3072 \(exact 3072\)/);
  expect(out).toMatch(/page need 12288 \(exact 12288\)/);
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(out);
}, 60_000);
