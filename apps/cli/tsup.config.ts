import { defineConfig } from 'tsup';

// The CLI is bundled on its own; the @cvhrc packages stay external and resolve to their
// built dist/ through the workspace links.
export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
