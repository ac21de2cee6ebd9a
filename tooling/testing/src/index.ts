export { sharedDataPath } from "@cmh/test-data";
export {
  describeOnBackends,
  switchBackend,
  type TestBackend,
  testBackends,
  withBackend,
} from "./backends";
export {
  type ConformanceContext,
  type ConformanceOptions,
  cleanupConformance,
  conformanceChecks,
  describeHasherConformance,
  plainMeanAveragePrecision,
  prepareConformance,
  SCALE_MAP_TOLERANCE,
  stagedConfig,
} from "./conformance";
export {
  bitDisagreement,
  CROSS_BACKEND_TOLERANCE,
  compareAcrossBackends,
  type FitFingerprint,
  fingerprint,
} from "./cross-backend";
export {
  ExampleHasher,
  type ExampleHasherConfig,
  ExampleHasherConfigs,
  ExampleHasherSchema,
} from "./example-hasher";
export {
  applyMutation,
  applyMutations,
  breathe,
  fuzzRuns,
  type Mutation,
  mutationArb,
  mutationsArb,
  sameBytes,
} from "./fuzz";
export { type TinySetOptions, tinySet } from "./tiny-data";
