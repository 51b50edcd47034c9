/**
 * Named scenarios: every run of the paper's reproduction (full settings, seed 1; the same
 * with a `quick-` prefix for the quick settings), and small examples.
 */
import { EXPERIMENT_PARTS, experimentSettings, planReproduction } from './experiments.js';
import type { ScenarioInput } from './scenario.js';

function fromPlan(quick: boolean): [string, ScenarioInput][] {
  const st = experimentSettings(quick);
  const out: [string, ScenarioInput][] = [];
  for (const r of planReproduction(st, new Set(EXPERIMENT_PARTS))) {
    if (r.seed !== 1) continue;
    const name = (quick ? 'quick-' : '') + r.key.replace(/-s1$/, '');
    out.push([name, { ...r.scenario, name }]);
  }
  return out;
}

const EXAMPLES: [string, ScenarioInput][] = [
  [
    'three-working-sets',
    {
      name: 'three-working-sets',
      description:
        'Three contexts looping over 2,000, 8,000 and 20,000 pages on a 256 MiB machine for 30 s, CvHRC and the oracle on',
      seed: 1,
      machine: { memory: { bytes: 256 * 1024 * 1024 } },
      tracking: { enabled: true, scanList: 8192, oracle: true },
      contexts: [
        { name: 'small', workload: 'loop', params: { pages: 2000 } },
        { name: 'medium', workload: 'loop', params: { pages: 8000 } },
        { name: 'large', workload: 'loop', params: { pages: 20000 } },
      ],
      durationSec: 30,
      curvesAtSec: [10, 30],
      sampleEverySec: 5,
    },
  ],
];

/** Every preset by name, in a fixed order. */
export const PRESETS: ReadonlyMap<string, ScenarioInput> = new Map([
  ...EXAMPLES,
  ...fromPlan(false),
  ...fromPlan(true),
]);

/** The preset names. */
export function presetNames(): string[] {
  return [...PRESETS.keys()];
}

/** A preset by name; an unknown name throws an error that lists the close ones. */
export function getPreset(name: string): ScenarioInput {
  const p = PRESETS.get(name);
  if (p === undefined) {
    const close = presetNames().filter((n) => n.includes(name) || name.includes(n));
    throw new Error(
      `unknown preset "${name}"${close.length > 0 ? ` (did you mean ${close.slice(0, 5).join(', ')}?)` : ''}; \`cvhrc presets\` lists them`,
    );
  }
  return p;
}
