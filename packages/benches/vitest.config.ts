import { cvhrcVitestConfig } from '@cvhrc/vitest-config';

export default cvhrcVitestConfig();
