export { CMIMH } from "./cmimh";
export {
  CMIMH_DEFAULTS,
  CMIMH_PRESETS,
  type CMIMHConfig,
  type CriticForm,
  type CriticInput,
  type OptimizerName,
  type SteGradient,
  validateCMIMHConfig,
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
