export { DSPAH_DEFAULTS, DSPAH_PRESETS, type DSPAHConfig, validateDSPAHConfig } from "./config";
export { DSPAH } from "./dspah";
export {
  fgsc,
  labelTensor,
  pairLoss,
  quantLoss,
  similarityMatrix,
  unifiedCodes,
} from "./losses";
export {
  ChannelAttention,
  ImageNet,
  LevelFusion,
  localResponseNorm,
  type NetOptions,
  type NetOutput,
  SpatialAttention,
  scaleBins,
  TextNet,
  widthConv,
} from "./network";
export { trainStepBytes, WASM_STEP_BUDGET_BYTES } from "./step-memory";
