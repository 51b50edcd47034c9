import { defineConfig } from 'tsup';

// CVHRC_BUILD=run (the main job): the ESM JavaScript only, which is all a run loads; no CJS
// build and no declarations, whose type-checking build is most of the build's time.
const runOnly = process.env.CVHRC_BUILD === 'run';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts', 'src/worker.ts'],
  format: runOnly ? ['esm'] : ['esm', 'cjs'],
  // node.ts and worker.ts import the main entry by the package's own name, so every entry
  // shares one copy of it.
  external: ['@cvhrc/benches'],
  // tsup's declaration build sets baseUrl, which TypeScript 6 flags as deprecated.
  dts: runOnly ? false : { compilerOptions: { ignoreDeprecations: '6.0' } },
  // import.meta.url in the CJS build of node.ts (to find the worker script).
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
