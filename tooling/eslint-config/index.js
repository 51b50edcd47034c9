// Shared flat config for every package: type-checked recommended and stylistic rules,
// consistent type imports, no default exports, and no reaching into another package's
// src/, dist/ or internal/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** @param {string} tsconfigRootDir */
export function cvhrcEslintConfig(tsconfigRootDir) {
  return tseslint.config(
    {
      ignores: [
        'dist/**',
        'bin/**',
        'coverage/**',
        '*.config.ts',
        '*.config.js',
        'eslint.config.js',
      ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    ...tseslint.configs.stylisticTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': [
          'error',
          {
            argsIgnorePattern: '^_',
            varsIgnorePattern: '^_',
            destructuredArrayIgnorePattern: '^_',
          },
        ],
        '@typescript-eslint/prefer-for-of': 'off',
        '@typescript-eslint/restrict-template-expressions': [
          'error',
          { allowNumber: true, allowBoolean: true },
        ],
        'no-restricted-syntax': [
          'error',
          { selector: 'ExportDefaultDeclaration', message: 'Use named exports only.' },
        ],
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: '^@cvhrc/[^/]+/(src|dist|internal)(/|$)',
                message:
                  'Import another package through its public entry, not its src/, dist/ or internal/.',
              },
              {
                regex: '^(\\.\\./)+(packages|apps)/',
                message: 'Import a sibling package by its name.',
              },
            ],
          },
        ],
      },
    },
    {
      files: ['test/**', 'bench/**'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
      },
    },
  );
}
