export type { BackendChoice, BackendInfo, InitBackendOptions } from "./backend/backend";
export {
  activeKernelFixes,
  availableBackends,
  backendName,
  initBackend,
  installWasmFixes,
  requireBackend,
  uninstallWasmFixes,
  wasmFixesInstalled,
} from "./backend/backend";
export {
  matMulThreads,
  POOL_MIN_MACS,
  POOL_MIN_ROWS,
  pooledMatMulCalls,
  startMatMulPool,
  stopMatMulPool,
} from "./backend/matmul-pool";
export type { Tensor, Tensor1D, Tensor2D, Variable } from "./backend/tf";
export { autoBlockProduct, tf, tfBlockProduct, tidyData } from "./backend/tf";
export type {
  BaseConfig,
  DisposableResource,
  FitContext,
  HasherCtor,
  InputDims,
  MethodStatics,
} from "./hasher/base-hasher";
export { BaseHasher, resolveConfig } from "./hasher/base-hasher";
export type { ConfigKeyMeta, ConfigOf, ConfigSchema, MethodConfig } from "./hasher/config-schema";
export {
  baseConfigSchema,
  baseConfigShape,
  configSchema,
  defineConfig,
  epochScaleItemsSchema,
  expectedValue,
  formatValue,
  inputSpecSchema,
  optimizerSchema,
  optionsTable,
  parseConfig,
  parseConfigValue,
  schemaDefaults,
  validatePresets,
  z,
} from "./hasher/config-schema";
export { ConfigError, checkTrainingRows, HasherError, requireBuilt } from "./hasher/errors";
export type * from "./hasher/hasher";
export type { InputMode, InputModes, InputSpec, InputStageReport } from "./hasher/input-stage";
export {
  INPUT_MODES,
  InputSpecError,
  InputStage,
  InputTransform,
  parseInputSpec,
} from "./hasher/input-stage";
export type { ManifestEntry, ModelFile, WeightValue } from "./hasher/serialize";
export {
  loadModelFiles,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFormatError,
  saveModelFiles,
  writeFileAtomic,
} from "./hasher/serialize";
export * from "./linalg/index";
export type { BatchOptions } from "./network/batches";
export {
  batchIndices,
  gatherRows,
  matrixTensor,
  rowsTensor,
  sliceRowsTensor,
  tensorToMatrix,
} from "./network/batches";
export type { SlopeSchedule } from "./network/heads";
export {
  bernoulliSte,
  scaledTanh,
  sigmoidThreshold,
  signPm1,
  signSte,
  sqrtSlope,
  stepSlope,
} from "./network/heads";
export type { InitScheme } from "./network/init";
export { initValues, initVariable } from "./network/init";
export type {
  Activation,
  BatchNormOptions,
  DenseOptions,
  Layer,
  MlpOptions,
} from "./network/layers";
export { activate, BatchNorm1d, Dense, Dropout, Mlp, prefixWeights } from "./network/layers";
export { stableSoftplus, stopGradient } from "./network/ops";
export type {
  AdamOptions,
  CreateOptimizerOptions,
  LrSchedule,
  Optimizer,
  OptimizerName,
  SgdOptions,
} from "./network/optim";
export {
  Adam,
  constantLr,
  createOptimizer,
  exponentialLr,
  linearLr,
  OPTIMIZER_NAMES,
  Sgd,
  stepLr,
} from "./network/optim";
export type { Rng } from "./network/rng";
export { createRng } from "./network/rng";
export type {
  EpochContext,
  LossResult,
  ParamGroup,
  StepOptions,
  TrainingLoopOptions,
} from "./network/train";
export {
  AbortError,
  epochScale,
  NonFiniteLossError,
  namedTerms,
  TrainingLoop,
  throwIfAborted,
  trainStep,
} from "./network/train";
