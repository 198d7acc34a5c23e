// The Api's method names without zod, for the sandboxed preload: a sandboxed preload cannot require()
// packages, so it must not pull in api.ts (whose schemas need zod). `satisfies` makes the type checker
// fail here when a method is added to or removed from apiSchemas without this list following.
import type { ApiMethod } from './api.js';

const METHODS = {
  snapshot: true,
  eventsSince: true,
  openProject: true,
  chooseProject: true,
  listFolders: true,
  createDemo: true,
  gitInit: true,
  closeProject: true,
  validateConfig: true,
  saveConfig: true,
  testMetric: true,
  testSlot: true,
  listFiles: true,
  readProgram: true,
  saveProgram: true,
  startRun: true,
  pauseRun: true,
  resumeRun: true,
  stopRun: true,
  steer: true,
  answerApproval: true,
  readProposalFiles: true,
  listRuns: true,
  getRun: true,
  getDiff: true,
  logInfo: true,
  readLogLines: true,
  getTranscript: true,
  exportReport: true,
  reportFromTsv: true,
  finalizeRun: true,
  auditRun: true,
  projectTrust: true,
  trustProject: true,
  setApiKey: true,
  clearApiKey: true,
  listGpus: true,
  getWebhook: true,
  setWebhook: true,
  testWebhook: true,
} as const satisfies Record<ApiMethod, true>;

export const API_METHOD_NAMES = Object.keys(METHODS) as ApiMethod[];
