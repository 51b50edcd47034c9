#!/usr/bin/env node
// The layer rules of CONVENTIONS.md, checked over package.json dependencies and over every
// import in the sources. Usage: check-layers.mjs [repoRoot]. Exits 1 on any violation.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which @cvhrc packages each layer may import. Apps may import anything. */
export const LAYER_RULES = {
  '@cvhrc/core': [],
  '@cvhrc/hw': [],
  '@cvhrc/mm': ['@cvhrc/hw'],
  '@cvhrc/vserver': ['@cvhrc/mm', '@cvhrc/hw', '@cvhrc/core'],
  '@cvhrc/workloads': ['@cvhrc/mm', '@cvhrc/hw'],
  '@cvhrc/benches': ['@cvhrc/core', '@cvhrc/hw', '@cvhrc/mm', '@cvhrc/vserver', '@cvhrc/workloads'],
};

/** Shared build tooling, not a layer: anyone may depend on it. */
const TOOLING = new Set([
  '@cvhrc/tsconfig',
  '@cvhrc/eslint-config',
  '@cvhrc/vitest-config',
  '@cvhrc/layer-check',
]);

const SOURCE_DIRS = ['src', 'test', 'bench'];
const SOURCE_EXT = /\.(m|c)?(t|j)sx?$/;
// import … from 'x'; export … from 'x'; import 'x'; import('x'); require('x')
const IMPORT_RE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm;

function listWorkspacePackages(root) {
  const out = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const pkgDir = join(dir, name);
      const pj = join(pkgDir, 'package.json');
      if (!existsSync(pj)) continue;
      const json = JSON.parse(readFileSync(pj, 'utf8'));
      out.push({ dir: pkgDir, group, json });
    }
  }
  return out;
}

function* walk(dir) {
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (SOURCE_EXT.test(entry)) yield p;
  }
}

function packageOf(specifier) {
  const m = /^(@cvhrc\/[^/]+)/.exec(specifier);
  return m ? m[1] : undefined;
}

/** Returns the list of violations, each `{ file, line, message }`. */
export function checkLayers(root) {
  root = resolve(root);
  const pkgs = listWorkspacePackages(root);
  const violations = [];
  const names = new Set(pkgs.map((p) => p.json.name));
  const appNames = new Set(pkgs.filter((p) => p.group === 'apps').map((p) => p.json.name));

  for (const pkg of pkgs) {
    const name = pkg.json.name;
    const isApp = pkg.group === 'apps';
    if (!isApp && !(name in LAYER_RULES)) {
      violations.push({
        file: relative(root, join(pkg.dir, 'package.json')),
        line: 1,
        message: `${name} is not a known layer; add it to LAYER_RULES in tooling/layer-check`,
      });
      continue;
    }
    const allowed = (target) => {
      if (target === name || TOOLING.has(target)) return true;
      if (appNames.has(target)) return false;
      if (isApp) return true;
      return LAYER_RULES[name].includes(target);
    };
    const pjFile = relative(root, join(pkg.dir, 'package.json'));
    for (const field of [
      'dependencies',
      'devDependencies',
      'peerDependencies',
      'optionalDependencies',
    ]) {
      for (const dep of Object.keys(pkg.json[field] ?? {})) {
        if ((dep.startsWith('@cvhrc/') || names.has(dep)) && !allowed(dep)) {
          violations.push({
            file: pjFile,
            line: 1,
            message: `${name} may not depend on ${dep} (${field})`,
          });
        }
      }
    }
    for (const sub of SOURCE_DIRS) {
      const dir = join(pkg.dir, sub);
      if (!existsSync(dir)) continue;
      for (const file of walk(dir)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(IMPORT_RE)) {
          const spec = m[2];
          const line = text.slice(0, m.index).split('\n').length;
          const rel = relative(root, file);
          const target = packageOf(spec) ?? (names.has(spec) ? spec : undefined);
          if (target && !allowed(target)) {
            violations.push({ file: rel, line, message: `${name} may not import ${target}` });
          }
          if (spec.startsWith('.')) {
            const resolved = resolve(dirname(file), spec);
            if (!(resolved + sep).startsWith(pkg.dir + sep) && resolved !== pkg.dir) {
              violations.push({
                file: rel,
                line,
                message: `relative import '${spec}' leaves ${name}; import the package by name`,
              });
            }
          }
        }
      }
    }
  }
  return violations;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = process.argv[2] ?? process.cwd();
  const violations = checkLayers(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`layer check: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('layer check: every import follows the layer rules');
}
