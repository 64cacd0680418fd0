export { loadAppCheck, type AppCheck, type CheckFailure, type CheckFunction, runCheckOnce } from './app-check.js';
export { rehearse, type AppVersion, type RehearseOptions } from './rehearse.js';
export {
  ADVICE,
  type AppResult,
  type FailureClass,
  type GateStop,
  type RehearsalFailure,
  type RehearsalReport,
  type SizeChange,
  type StepReport,
  type TrafficStats,
} from './report-model.js';
export type { TrafficLimits } from './traffic.js';
export type { WindowEnd, WindowStart } from './window.js';
export { renderRehearsalMarkdown, renderRehearsalText } from './render-rehearsal.js';
export { parseRehearsalReport, renderUnitSummaryMarkdown, renderUnitSummaryText, summarizeUnits, type UnitRehearsal } from './unit-summary.js';
