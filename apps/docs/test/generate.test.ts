import { describe, expect, it } from 'vitest';
import {
  adaptReadme,
  adaptReport,
  checkResults,
  minSec,
  resultsPage,
} from '../scripts/markdown.mjs';

describe('layer pages from READMEs', () => {
  it('drops the title and points sibling links at layer pages', () => {
    const md = '# @cvhrc/mm\n\nOn [`@cvhrc/hw`](../hw) and [x](../core/).\n';
    expect(adaptReadme(md, 'mm/README.md')).toBe(
      'On [`@cvhrc/hw`](/layers/hw) and [x](/layers/core).\n',
    );
  });

  it('names a README without a title', () => {
    expect(() => adaptReadme('no title\n', 'x/README.md')).toThrow(/x\/README.md has no "# "/);
  });
});

describe('the Results page', () => {
  const row = {
    vms: 1,
    workload: 'lmbench-mem',
    withoutSec: 328,
    withSec: 345,
    overheadPerVmPct: 5.2,
  };

  it('writes run times as the paper does', () => {
    expect(minSec(328)).toBe(`5'28"`);
    expect(minSec(1243)).toBe(`20'43"`);
    expect(minSec(20.46)).toBe(`0'20.5"`);
    expect(minSec(59.96)).toBe(`1'00.0"`);
  });

  it('checks results.json and names the bad field', () => {
    expect(checkResults({ table3: [row] }, 'r.json').table3).toHaveLength(1);
    expect(() => checkResults([], 'r.json')).toThrow(/r.json: field "table3" must be an array/);
    expect(() => checkResults({ table3: [{ ...row, withSec: 'x' }] }, 'r.json')).toThrow(
      /table3\[0\]\.withSec must be a finite number/,
    );
    expect(() => checkResults({ table3: [{ ...row, workload: 'gcc' }] }, 'r.json')).toThrow(
      /table3\[0\]\.workload/,
    );
  });

  it("moves the report's headings under the page's and links its files", () => {
    const files = new Set(['fig3.svg', 'table3.csv']);
    const md = '# Title\n\n## Figure 3\n\n![f](fig3.svg) [t](./table3.csv) ![o](other.svg)\n';
    expect(adaptReport(md, files)).toBe(
      '### Figure 3\n\n![f](/results/fig3.svg) [t](/results/table3.csv) ![o](other.svg)',
    );
  });

  it('builds Table 3 from results.json, the report in v-pre, and plots it does not show', () => {
    const results = checkResults(
      { table3: [row, { ...row, vms: 2, withoutSec: 619, withSec: 653, overheadPerVmPct: 5.5 }] },
      'r.json',
    );
    const page = resultsPage(results, '# R\n\n![a](a.svg)\n', new Set(['a.svg', 'b.svg']));
    expect(page).toContain(`| 1 | lmbench-mem | 5'28" | 5'45" | 5.2 % | 1.00× |`);
    expect(page).toContain(`| 2 | lmbench-mem | 10'19" | 10'53" | 5.5 % | 1.89× |`);
    expect(page).toContain('::: v-pre\n![a](/results/a.svg)\n:::');
    expect(page).toContain('![b.svg](/results/b.svg)');
    expect(page).not.toContain('![a.svg]');
  });
});
