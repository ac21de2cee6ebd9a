export { UGACH_DEFAULTS, UGACH_PRESETS, UGACH_SCHEMA, type UGACHConfig } from "./config";
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
  tripletHinge,
  weightDecayTerm,
} from "./losses";
export type { HashNet, Pathway } from "./network";
export { type GraphStats, UGACH } from "./ugach";
