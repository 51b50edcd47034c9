import { cvhrcEslintConfig } from '@cvhrc/eslint-config';

// examples/ holds plain ES modules run with node against the build (not in the TS project).
export default [{ ignores: ['examples/**'] }, ...cvhrcEslintConfig(import.meta.dirname)];
