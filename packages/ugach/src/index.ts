export {
  lrFactor,
  marginOf,
  UGACH_DEFAULTS,
  UGACH_PRESETS,
  type UGACHConfig,
  validateUGACHConfig,
} from "./config";
export {
  type CorrelationGraph,
  correlationGraph,
  graphBlockProduct,
  isPositive,
  type NeighbourOptions,
  nearestWithSelf,
  type PositiveSets,
  pairPositives,
  positivesFromRows,
  sparseBlockProduct,
} from "./graph";
export {
  candidateDistances,
  generatorLogProbs,
  hingeFromDistances,
  hingeScore,
  type LogProbMode,
  pairDistances,
  type RewardForm,
  reinforceLoss,
  rewardOf,
  rowSqDist,
  sampleSoftmax,
  tripletHinge,
  weightDecayTerm,
} from "./losses";
export { HashNet, type Pathway } from "./network";
export {
  type GraphStats,
  generatorTriplets,
  pairTriplets,
  relaxedCodes,
  type Triplets,
  UGACH,
} from "./ugach";
