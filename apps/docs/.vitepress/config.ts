// The site's configuration. The API reference (api/) and the README-based layer pages are
// generated before the build by scripts/gen-*.mjs; the sidebar lists what they generated.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type DefaultTheme } from 'vitepress';

const root = join(import.meta.dirname, '..');

/** The workspace packages resolve to their TypeScript sources (no build needed). */
const conditions = ['@cvhrc/source', 'browser', 'import', 'module', 'default'];

interface ApiPackage {
  readonly name: string;
  readonly dir: string;
}

function apiSidebar(): DefaultTheme.SidebarItem[] {
  const manifest = join(root, 'api', 'packages.json');
  if (!existsSync(manifest)) return [{ text: 'API (not generated)', link: '/api/' }];
  const packages = JSON.parse(readFileSync(manifest, 'utf8')) as ApiPackage[];
  return packages.map((p) => ({ text: p.name, link: `/api/${p.dir}/` }));
}

// VitePress reads its configuration as this module's default export.
// eslint-disable-next-line no-restricted-syntax
export default defineConfig({
  title: 'CvHRC',
  description:
    'Per-container hit-ratio curves on an emulated Linux 2.6.17 + Linux-VServer host (Kim & Noh).',
  cleanUrls: true,
  lastUpdated: false,
  srcExclude: ['**/README.md', '.generated/**', 'test/**', 'test-artifacts/**', 'src/**'],
  // Links inside the generated API pages are checked too; nothing is ignored.
  ignoreDeadLinks: false,
  markdown: { math: false },
  themeConfig: {
    nav: [
      { text: 'Concepts', link: '/concepts/isolation' },
      { text: 'Layers', link: '/layers/' },
      { text: 'API', link: '/api/' },
      { text: 'Results', link: '/results' },
      { text: 'Live demo', link: '/demo' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
      '/': [
        {
          text: 'Concepts',
          items: [
            { text: 'Memory isolation between containers', link: '/concepts/isolation' },
            { text: 'Hit-ratio curves and page need', link: '/concepts/hit-ratio-curves' },
            { text: 'How CvHRC measures them', link: '/concepts/cvhrc' },
            { text: 'What the emulator models', link: '/concepts/emulator' },
          ],
        },
        {
          text: 'Layers',
          link: '/layers/',
          items: [
            { text: 'hw — the machine', link: '/layers/hw' },
            { text: 'mm — Linux 2.6.17', link: '/layers/mm' },
            { text: 'vserver — contexts', link: '/layers/vserver' },
            { text: 'core — the HRC engine', link: '/layers/core' },
            { text: 'workloads — programs', link: '/layers/workloads' },
            { text: 'benches — experiments', link: '/layers/benches' },
            { text: 'cli — the command line', link: '/layers/cli' },
          ],
        },
        {
          text: 'Use it',
          items: [
            { text: 'Reproduced results', link: '/results' },
            { text: 'Live demo', link: '/demo' },
            { text: 'API reference', link: '/api/' },
          ],
        },
      ],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
  vite: {
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    worker: { format: 'es' },
    build: { chunkSizeWarningLimit: 2000 },
  },
});
