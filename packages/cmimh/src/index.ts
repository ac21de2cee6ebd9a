export { CMIMH } from "./cmimh";
export {
  CMIMH_DEFAULTS,
  CMIMH_PRESETS,
  type CMIMHConfig,
  type CriticInput,
  type InputScaling,
  type OptimizerName,
  validateCMIMHConfig,
} from "./config";
export {
  balanceLoss,
  bernoulliKlFromLogits,
  columnPermutationIndices,
  jsMiFromScores,
  permuteColumns,
  reconstructionLoss,
  separableJsMi,
  stableSoftplus,
  symmetricKl,
  tcClassifierLoss,
  tcFromLogits,
} from "./losses";
