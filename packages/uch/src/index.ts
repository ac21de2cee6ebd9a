export {
  type GeneratorLoss,
  type ImageEncoder,
  type ImageOutputActivation,
  type LossReduction,
  type TextActivation,
  UCH_DEFAULTS,
  UCH_PRESETS,
  UCH_SCHEMA,
  type UCHConfig,
  type UCHInit,
} from "./config";
export {
  bitBalance,
  cycleReconstruction,
  discriminatorBce,
  type GeneratorFn,
  generatorAdversarial,
  innerDiscriminatorLoss,
  innerGeneratorLoss,
  offDiagonalCovariance,
  outerDiscriminatorLoss,
  outerGeneratorLoss,
  pairedSimilarity,
  quantization,
  rowSquaredDistance,
  type StepLoss,
  type UCHLossConfig,
  varianceFloor,
} from "./losses";
export type { CollapseMonitor } from "./monitor";
export type { Generator, InnerForward, OuterForward, UCHDims, UCHNetworks } from "./network";
export { UCH } from "./uch";
