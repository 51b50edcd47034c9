// Builds the Results page's body from the output of `cvhrc reproduce --quick`:
// .generated/results.md (included by results.md) and public/results/ (the SVG plots, CSV
// files and results.json, served with the site). Nothing here is a pasted number: the
// report, the tables and the plots are the reproduction's own output of this build.
//
// CVHRC_DOCS_REPRODUCE_DIR=<dir> uses an existing output directory instead of running the
// command (for working on the page; the site's build runs the command).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { checkResults, resultsPage } from './markdown.mjs';

const docs = join(import.meta.dirname, '..');
const cli = join(docs, '..', 'cli', 'bin', 'cvhrc.js');
const generated = join(docs, '.generated');
const publicDir = join(docs, 'public', 'results');

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`gen-results: ${message}`);
  process.exit(1);
}

/** @param {string} outDir */
function runReproduce(outDir) {
  if (!existsSync(cli)) fail(`${cli} is missing; build the CLI first (pnpm build).`);
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  if (help.status !== 0) {
    fail(
      `the CLI does not start (\`node ${relative(docs, cli)} --help\` exited ${help.status}); ` +
        `build it and the packages first (pnpm build):\n${help.stderr}`,
    );
  }
  if (!/^\s+reproduce\b/m.test(help.stdout)) {
    fail(
      'the CLI has no `reproduce` command yet, and the Results page is generated from ' +
        '`cvhrc reproduce --quick --out DIR` (results.json, report.md, CSV and SVG files). ' +
        'Build it (packages/benches + apps/cli), or point CVHRC_DOCS_REPRODUCE_DIR at an output ' +
        'directory of that command.',
    );
  }
  rmSync(outDir, { recursive: true, force: true });
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [cli, 'reproduce', '--quick', '--quiet', '--out', outDir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (run.status !== 0) {
    fail(`\`cvhrc reproduce --quick --out ${outDir}\` exited ${run.status}:\n${run.stderr}`);
  }
  console.log(
    `gen-results: cvhrc reproduce --quick in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

const fromEnv = process.env.CVHRC_DOCS_REPRODUCE_DIR;
const outDir = fromEnv ?? join(generated, 'reproduce');
if (fromEnv === undefined) runReproduce(outDir);
else if (!existsSync(fromEnv)) fail(`CVHRC_DOCS_REPRODUCE_DIR=${fromEnv} does not exist`);

for (const f of ['results.json', 'report.md']) {
  if (!existsSync(join(outDir, f))) fail(`${join(outDir, f)} is missing`);
}
/** @type {import('./markdown.mjs').Results} */
let results;
try {
  results = checkResults(
    JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')),
    join(outDir, 'results.json'),
  );
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const report = readFileSync(join(outDir, 'report.md'), 'utf8');

rmSync(publicDir, { recursive: true, force: true });
mkdirSync(publicDir, { recursive: true });
/** @type {Set<string>} */
const files = new Set();
for (const f of readdirSync(outDir).sort()) {
  if (/\.(svg|csv|json)$/.test(f)) {
    copyFileSync(join(outDir, f), join(publicDir, f));
    files.add(f);
  }
}
mkdirSync(generated, { recursive: true });
writeFileSync(join(generated, 'results.md'), resultsPage(results, report, files));
console.log(
  `gen-results: ${results.table3.length} Table 3 rows, ` +
    `${[...files].filter((f) => f.endsWith('.svg')).length} plots from ${relative(docs, outDir) || outDir}`,
);
