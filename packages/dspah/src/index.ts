export { DSPAH_DEFAULTS, DSPAH_PRESETS, type DSPAHConfig, validateDSPAHConfig } from "./config";
export { DSPAH } from "./dspah";
export {
  fgsc,
  type LossNormalization,
  labelTensor,
  type ModalityLoss,
  modalityLoss,
  pairLoss,
  quantLoss,
  similarityMatrix,
  unifiedCodes,
} from "./losses";
