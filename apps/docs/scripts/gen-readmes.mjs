// Copies each layer's README into .generated/readmes/<layer>.md so that the layer pages
// include the package's own documentation (what it models, what it simplifies, how to
// extend it) and never drift from it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adaptReadme } from './markdown.mjs';

const docs = join(import.meta.dirname, '..');
const repo = join(docs, '..', '..');
const out = join(docs, '.generated', 'readmes');

const LAYERS = {
  hw: 'packages/hw',
  mm: 'packages/mm',
  vserver: 'packages/vserver',
  core: 'packages/core',
  workloads: 'packages/workloads',
  benches: 'packages/benches',
  cli: 'apps/cli',
};

mkdirSync(out, { recursive: true });
for (const [layer, dir] of Object.entries(LAYERS)) {
  const path = join(repo, dir, 'README.md');
  if (!existsSync(path)) throw new Error(`gen-readmes: ${path} is missing`);
  writeFileSync(join(out, `${layer}.md`), adaptReadme(readFileSync(path, 'utf8'), path));
}
console.log(`gen-readmes: ${Object.keys(LAYERS).length} READMEs`);
