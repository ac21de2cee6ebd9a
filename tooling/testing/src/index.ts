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
export { ExampleHasher, type ExampleHasherConfig } from "./example-hasher";
export { sharedDataPath } from "./shared-data";
export { type TinySetOptions, tinySet } from "./tiny-data";
