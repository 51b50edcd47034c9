import { cvhrcEslintConfig } from '@cvhrc/eslint-config';

export default cvhrcEslintConfig(import.meta.dirname);
