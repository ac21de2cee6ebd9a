export type { BackendChoice, BackendInfo, InitBackendOptions } from "./backend";
export {
  activeKernelFixes,
  availableBackends,
  backendName,
  initBackend,
  installWasmFixes,
  requireBackend,
  uninstallWasmFixes,
  wasmFixesInstalled,
} from "./backend";
export type { BaseConfig, FitContext, InputDims, MethodStatics } from "./base-hasher";
export { BaseHasher, HasherError, resolveConfig } from "./base-hasher";
export type { BatchOptions } from "./batches";
export {
  batchIndices,
  gatherRows,
  matrixTensor,
  rowsTensor,
  sliceRowsTensor,
  tensorToMatrix,
} from "./batches";
export type * from "./hasher";
export type { SlopeSchedule } from "./heads";
export {
  bernoulliSte,
  scaledTanh,
  sigmoidThreshold,
  signPm1,
  signSte,
  sqrtSlope,
  stepSlope,
} from "./heads";
export type { InitScheme } from "./init";
export { initValues, initVariable } from "./init";
export type { InputMode, InputModes, InputSpec, InputStageReport } from "./input-stage";
export {
  INPUT_MODES,
  InputSpecError,
  InputStage,
  InputTransform,
  parseInputSpec,
} from "./input-stage";
export type { Activation, BatchNormOptions, DenseOptions, Layer, MlpOptions } from "./layers";
export { activate, BatchNorm1d, Dense, Dropout, Mlp, prefixWeights } from "./layers";
export * from "./linalg/index";
export {
  matMulThreads,
  POOL_MIN_MACS,
  POOL_MIN_ROWS,
  pooledMatMulCalls,
  startMatMulPool,
  stopMatMulPool,
} from "./matmul-pool";
export { stableSoftplus, stopGradient } from "./ops";
export type { AdamOptions, LrSchedule, Optimizer, SgdOptions } from "./optim";
export { Adam, constantLr, exponentialLr, linearLr, Sgd, stepLr } from "./optim";
export type { Rng } from "./rng";
export { createRng } from "./rng";
export type { ManifestEntry, ModelFile, WeightValue } from "./serialize";
export {
  loadModelFiles,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFormatError,
  saveModelFiles,
  writeFileAtomic,
} from "./serialize";
export type { Tensor, Tensor1D, Tensor2D, Variable } from "./tf";
export { autoBlockProduct, tf, tfBlockProduct, tidyData } from "./tf";
export type { EpochContext, LossResult, ParamGroup, TrainingLoopOptions } from "./train";
export {
  AbortError,
  epochScale,
  NonFiniteLossError,
  TrainingLoop,
  throwIfAborted,
  trainStep,
} from "./train";
