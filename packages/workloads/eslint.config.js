import { cvhrcEslintConfig } from '@cvhrc/eslint-config';

// bench/*.mjs are plain ES modules run with node against the build; neutral-globals.d.ts
// belongs to the platform-neutral typecheck only (not in the TS project).
export default [
  { ignores: ['bench/**/*.mjs', 'neutral-globals.d.ts'] },
  ...cvhrcEslintConfig(import.meta.dirname),
];
