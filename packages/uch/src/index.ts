export {
  type GeneratorLoss,
  type ImageEncoder,
  type ImageOutputActivation,
  type TextActivation,
  UCH_DEFAULTS,
  UCH_PRESETS,
  type UCHConfig,
  validateUCHConfig,
} from "./config";
export {
  cycleReconstruction,
  discriminatorBce,
  type Generator as GeneratorFn,
  generatorAdversarial,
  offDiagonalCovariance,
  pairedSimilarity,
  rowSquaredDistance,
  varianceFloor,
} from "./losses";
export {
  Generator,
  type InnerForward,
  type OuterForward,
  type UCHDims,
  UCHNetworks,
} from "./network";
export {
  innerDiscriminatorLoss,
  innerGeneratorLoss,
  outerDiscriminatorLoss,
  outerGeneratorLoss,
  type StepLoss,
} from "./steps";
export { type CollapseMonitor, UCH } from "./uch";
