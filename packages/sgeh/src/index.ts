export {
  countComponents,
  type EdgeList,
  edgesOf,
  type GraphIteration,
  type GraphOptions,
  solveGraph,
  sRow,
  type UnifiedGraph,
  type ViewNeighbours,
  viewNeighbours,
  viewWeight,
  zLaplacian,
  zscoreRows,
} from "./graph";
export {
  actorLoss,
  batchTarget,
  bernoulliPm1,
  cosineMatrix,
  criticLoss,
  type EdgeBatch,
  edgeBatch,
  type Fusion,
  type ReconWeights,
  reconstructionLoss,
  type TargetOptions,
} from "./losses";
export { type GraphReport, SGEH, type SGEHConfig } from "./method";
