export { type Fusion, SGEH_PRESETS, SGEH_SCHEMA, type SGEHConfig } from "./config";
export type { GraphReport } from "./graph";
export {
  actorLoss,
  batchTarget,
  cosineMatrix,
  criticLoss,
  type ReconWeights,
  reconstructionLoss,
  type TargetOptions,
} from "./losses";
export { SGEH } from "./sgeh";
