import { defineConfig } from 'tsup';

// CVHRC_BUILD=run (the main job): the ESM JavaScript only, which is all a run loads; no CJS
// build and no declarations, whose type-checking build is most of the build's time.
const runOnly = process.env.CVHRC_BUILD === 'run';

export default defineConfig({
  entry: ['src/index.ts'],
  format: runOnly ? ['esm'] : ['esm', 'cjs'],
  // tsup's declaration build sets baseUrl, which TypeScript 6 flags as deprecated.
  dts: runOnly ? false : { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
