export {
  DSPAH_CONFIG,
  DSPAH_DEFAULTS,
  DSPAH_PRESETS,
  DSPAH_SCHEMA,
  type DSPAHConfig,
  type LossNormalization,
} from "./config";
export { DSPAH } from "./dspah";
export {
  fgsc,
  labelTensor,
  type ModalityLoss,
  modalityLoss,
  pairLoss,
  quantLoss,
  similarityMatrix,
  unifiedCodes,
} from "./losses";
