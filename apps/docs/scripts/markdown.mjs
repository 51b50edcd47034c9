// The pure parts of the generators, tested in test/generate.test.ts: how a package README
// becomes part of a layer page, and how the reproduction's output becomes the Results page.

/**
 * A README's Markdown with its title dropped and links to sibling packages pointed at their
 * layer pages.
 * @param {string} text a README
 * @param {string} from its path, for errors
 * @returns {string}
 */
export function adaptReadme(text, from) {
  const lines = text.split('\n');
  const title = lines.findIndex((l) => l.startsWith('# '));
  if (title < 0) throw new Error(`${from} has no "# " title line`);
  lines.splice(title, 1);
  return (
    lines
      .join('\n')
      // [`@cvhrc/hw`](../hw) → the layer page of hw
      .replace(/\]\(\.\.\/(hw|mm|vserver|core|workloads|benches)\/?\)/g, '](/layers/$1)')
      .replace(/\]\(\.\.\/\.\.\/apps\/cli\/?\)/g, '](/layers/cli)')
      .trimStart()
  );
}

/**
 * @typedef {{ vms: number; workload: string; withoutSec: number; withSec: number; overheadPerVmPct: number }} Table3Row
 * @typedef {{ table3: Table3Row[]; settings?: { label?: string; mode?: string } }} Results
 */

/**
 * Checks the fields of results.json that the page uses; throws naming the field.
 * @param {unknown} results
 * @param {string} where
 * @returns {Results}
 */
export function checkResults(results, where) {
  if (typeof results !== 'object' || results === null) {
    throw new Error(`${where}: not a JSON object`);
  }
  const t3 = /** @type {{ table3?: unknown }} */ (results).table3;
  if (!Array.isArray(t3)) throw new Error(`${where}: field "table3" must be an array`);
  /** @type {unknown[]} */ (t3).forEach((row, i) => {
    const r = /** @type {Record<string, unknown>} */ (row);
    for (const f of ['vms', 'withoutSec', 'withSec', 'overheadPerVmPct']) {
      if (typeof r[f] !== 'number' || !Number.isFinite(r[f])) {
        throw new Error(`${where}: table3[${i}].${f} must be a finite number`);
      }
    }
    if (r.workload !== 'lmbench-mem' && r.workload !== 'kernel-compile') {
      throw new Error(`${where}: table3[${i}].workload must be "lmbench-mem" or "kernel-compile"`);
    }
  });
  return /** @type {Results} */ (results);
}

/**
 * Seconds as the paper writes run times: 5'28".
 * @param {number} s
 * @returns {string}
 */
export function minSec(s) {
  const whole = s < 60 ? Math.round(s * 10) / 10 : Math.round(s);
  const m = Math.floor(whole / 60);
  const r = whole - 60 * m;
  return `${m}'${s < 60 ? r.toFixed(1).padStart(4, '0') : String(r).padStart(2, '0')}"`;
}

/**
 * The report's Markdown with its title dropped, its headings one level down (under the
 * page's "The report") and its links to files of the output directory pointed at
 * /results/<file>.
 * @param {string} md
 * @param {Set<string>} files
 * @returns {string}
 */
export function adaptReport(md, files) {
  const lines = md.split('\n');
  const title = lines.findIndex((l) => l.startsWith('# '));
  if (title >= 0) lines.splice(title, 1);
  return lines
    .map((l) => (/^#{2,5} /.test(l) ? `#${l}` : l))
    .join('\n')
    .replace(
      /(\]\()(?:\.\/)?([^)\s/]+\.(?:svg|csv|json))(\))/g,
      /** @type {(all: string, a: string, file: string, b: string) => string} */
      (all, a, file, b) => (files.has(file) ? `${a}/results/${file}${b}` : all),
    )
    .trim();
}

/**
 * The body of the Results page.
 * @param {Results} results results.json
 * @param {string} report report.md
 * @param {Set<string>} files the files of the output directory served under /results/
 * @returns {string}
 */
export function resultsPage(results, report, files) {
  const body = adaptReport(report, files);
  const svgs = [...files].filter((f) => f.endsWith('.svg'));
  const unshown = svgs.filter((f) => !body.includes(`/results/${f}`));
  const out = [
    `Generated when this site was built, by \`cvhrc reproduce --quick\`` +
      (results.settings?.label ? ` (settings: **${results.settings.label}**)` : '') +
      '. Quick mode runs smaller settings so that the site builds quickly; its numbers show ' +
      "the shape of the results, not the paper's. Run `pnpm cvhrc reproduce` for the full " +
      'reproduction.',
    '',
    '## Table 3 at a glance',
    '',
    '| VMs | program | without CvHRC | with CvHRC | overhead per VM | × 1-VM time (without) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results.table3) {
    const one = results.table3.find((x) => x.vms === 1 && x.workload === r.workload);
    const ratio = one ? `${(r.withoutSec / one.withoutSec).toFixed(2)}×` : '—';
    out.push(
      `| ${r.vms} | ${r.workload} | ${minSec(r.withoutSec)} | ${minSec(r.withSec)} | ` +
        `${r.overheadPerVmPct.toFixed(1)} % | ${ratio} |`,
    );
  }
  if (results.table3.length === 0) out.push('| — | not part of this run | | | | |');
  out.push('', '## The report', '', '::: v-pre', body, ':::');
  if (unshown.length > 0) {
    out.push('', '## Plots', '');
    for (const f of unshown) out.push(`![${f}](/results/${f})`, '');
  }
  out.push('', '## Files', '');
  for (const f of files) out.push(`- [${f}](/results/${f}){target="_self"}`);
  out.push('');
  return out.join('\n');
}
