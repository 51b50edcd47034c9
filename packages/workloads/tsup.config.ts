import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  // src/node.ts imports the main entry by the package's own name: keep it a real import so
  // that both entries share one copy (one TraceFormatError class) in ESM and in CJS.
  external: ['@cvhrc/workloads'],
  // tsup's declaration build sets baseUrl, which TypeScript 6 flags as deprecated.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
