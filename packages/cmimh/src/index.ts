export { CMIMH } from "./cmimh";
export {
  CMIMH_CONFIG,
  CMIMH_DEFAULTS,
  CMIMH_PRESETS,
  CMIMH_SCHEMA,
  type CMIMHConfig,
  type CriticForm,
  type CriticInput,
  type OptimizerName,
  type ReconReduction,
  type SteGradient,
} from "./config";
export {
  balanceLoss,
  bernoulliKlFromLogits,
  diagonalJsMi,
  jsMiFromScores,
  reconstructionLoss,
  separableJsMi,
  symmetricKl,
  tcClassifierLoss,
  tcFromLogits,
} from "./losses";
