import { cvhrcVitestConfig } from '@cvhrc/vitest-config';

// The e2e test drives a real browser over the built site: allow it time, one file at a time.
export default cvhrcVitestConfig({
  test: { testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false },
});
