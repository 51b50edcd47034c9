import { cvhrcEslintConfig } from '@cvhrc/eslint-config';

export default [
  {
    ignores: [
      'api/**',
      '.generated/**',
      'public/**',
      'test-artifacts/**',
      '.vitepress/cache/**',
      '.vitepress/dist/**',
    ],
  },
  ...cvhrcEslintConfig(import.meta.dirname),
  {
    // Node globals in the build scripts are checked by tsc (checkJs with Node's types).
    files: ['scripts/**/*.mjs'],
    rules: { 'no-undef': 'off' },
  },
];
