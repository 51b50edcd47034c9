// Shared Vitest settings: tests resolve sibling packages to their sources through the
// "@cvhrc/source" export condition. It must be set both at the top level and for the SSR
// environment, which is the one Vitest uses for Node tests.
import { defineConfig } from 'vitest/config';

const conditions = ['@cvhrc/source', 'import', 'module', 'node', 'default'];

/** @param {import('vitest/config').ViteUserConfig} [extra] */
export function cvhrcVitestConfig(extra = {}) {
  return defineConfig({
    resolve: { conditions },
    environments: { ssr: { resolve: { conditions } } },
    ...extra,
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      ...extra.test,
    },
  });
}
