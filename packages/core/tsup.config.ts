import { defineConfig } from 'tsup';

// CVHRC_BUILD=run (the main job): the ESM JavaScript only, which is all a run loads; no CJS
// build and no declarations, whose type-checking build is most of the build's time.
const runOnly = process.env.CVHRC_BUILD === 'run';

export default defineConfig({
  // parallel: the Node-only subpath; parallel-worker: its worker's script (not exported).
  entry: ['src/index.ts', 'src/parallel.ts', 'src/parallel-worker.ts'],
  // import.meta.url in the CJS build of parallel.ts (it finds the worker's script by it).
  shims: true,
  format: runOnly ? ['esm'] : ['esm', 'cjs'],
  // tsup's declaration build sets baseUrl, which TypeScript 6 flags as deprecated.
  dts: runOnly ? false : { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
