export {
  type ConformanceContext,
  type ConformanceOptions,
  cleanupConformance,
  conformanceChecks,
  describeHasherConformance,
  prepareConformance,
} from "./conformance";
export { ExampleHasher, type ExampleHasherConfig } from "./example-hasher";
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
export { sharedDataPath } from "./shared-data";
export { type TinySetOptions, tinySet } from "./tiny-data";
