/**
 * @cvhrc/benches: the paper's experiments as scenarios — a scenario schema, a runner, the
 * presets of Table 2, Table 3 and Figures 3–5, and the reproduction's report. Parallel runs
 * on worker threads are in `@cvhrc/benches/node`.
 */
export {
  ScenarioError,
  ScenarioSchema,
  expandContexts,
  parseScenario,
  type ExpandedContext,
  type Scenario,
  type ScenarioInput,
} from './scenario.js';
export {
  runScenario,
  type ContextResult,
  type CurvePointOut,
  type CurveSample,
  type ProgressSample,
  type RunOptions,
  type RunOutcome,
  type RunProgress,
  type RunResults,
} from './runner.js';
export {
  EXPERIMENT_PARTS,
  FULL_PARAMS,
  QUICK_PARAMS,
  TABLE3_WORKLOADS,
  estimatedHostCost,
  experimentSettings,
  figures,
  planReproduction,
  table2,
  table3,
  thrashTable,
  type ExperimentPart,
  type ExperimentSettings,
  type FigureOut,
  type PlannedRun,
  type Table2,
  type Table3Row,
  type Table3Workload,
  type ThrashRow,
} from './experiments.js';
export {
  buildReproduction,
  type PlotSpec,
  type Reproduction,
  type ReproductionResults,
} from './report.js';
export {
  PAPER_TABLE2,
  PAPER_TABLE3,
  PAPER_THRASHING,
  formatMinSec,
  overheadPct,
  type PaperTable3Row,
} from './paper.js';
export { PRESETS, getPreset, presetNames } from './presets.js';
