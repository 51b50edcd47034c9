// Generates the API reference of every published package into api/ with TypeDoc and
// typedoc-plugin-markdown: one folder per package (api/<dir>/), an index page and
// api/packages.json for the sidebar. The output is git-ignored and rebuilt on every build.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Application } from 'typedoc';

const docs = join(import.meta.dirname, '..');
const repo = join(docs, '..', '..');
const out = join(docs, 'api');

/** The published packages, bottom layer first. */
export const PACKAGES = ['hw', 'core', 'mm', 'vserver', 'workloads', 'benches'];

/**
 * @param {string} path
 * @returns {unknown}
 */
function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** @param {string} dir */
async function generate(dir) {
  const pkgDir = join(repo, 'packages', dir);
  const pkg = /** @type {{ name: string; description?: string }} */ (
    readJson(join(pkgDir, 'package.json'))
  );
  const entry = join(pkgDir, 'src', 'index.ts');
  if (!existsSync(entry)) throw new Error(`gen-api: ${entry} is missing`);
  /** @type {Partial<import('typedoc').TypeDocOptions & import('typedoc-plugin-markdown').PluginOptions>} */
  const options = {
    name: pkg.name,
    entryPoints: [entry],
    tsconfig: join(docs, 'tsconfig.typedoc.json'),
    plugin: ['typedoc-plugin-markdown'],
    out: join(out, dir),
    readme: 'none',
    excludePrivate: true,
    excludeProtected: true,
    excludeInternal: true,
    disableSources: true,
    hideGenerator: true,
    githubPages: false,
    // One page per package (its members are headings): a small site that builds fast.
    outputFileStrategy: 'modules',
    entryFileName: 'index.md',
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    // Comments may hold '<xid>' or '{…}': escaped so that Vue does not read them as markup.
    sanitizeComments: true,
    parametersFormat: 'table',
    // Pages of a VitePress site: links without the .md suffix, no anchors on heading text.
    publicPath: `/api/${dir}/`,
    logLevel: 'Warn',
    skipErrorChecking: true,
  };
  const app = await Application.bootstrapWithPlugins(options);
  const project = await app.convert();
  if (!project) throw new Error(`gen-api: TypeDoc could not convert ${pkg.name}`);
  await app.generateOutputs(project);
  return { name: pkg.name, dir, description: pkg.description ?? '' };
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const done = [];
for (const dir of PACKAGES) done.push(await generate(dir));
writeFileSync(join(out, 'packages.json'), JSON.stringify(done, null, 2) + '\n');
writeFileSync(
  join(out, 'index.md'),
  [
    '# API reference',
    '',
    'Generated from the TSDoc comments of each published package at build time (TypeDoc).',
    'Every package is ESM + CJS with `.d.ts`; the layers import only downward (see',
    '[Layers](/layers/)).',
    '',
    '| package | what it is |',
    '| --- | --- |',
    ...done.map((p) => `| [\`${p.name}\`](/api/${p.dir}/) | ${p.description} |`),
    '',
  ].join('\n'),
);
console.log(`gen-api: ${done.length} packages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
