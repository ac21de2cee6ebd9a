// Pure-JS numerical tools (no TensorFlow.js): dense products, Cholesky and solves, symmetric and
// generalised eigen-decompositions, PCA, pairwise cosine and blockwise kNN graphs, CSR matrices and
// Laplacians, a few smallest eigenpairs of a sparse Laplacian, simplex projection.

export {
  abtKernel,
  type CovarianceOptions,
  centerRows,
  checkFinite,
  checkMatrix,
  cholesky,
  choleskySolve,
  columnMeans,
  covariance,
  crossCovariance,
  crossGram,
  density,
  type FloatArray,
  gram,
  identity,
  LinalgError,
  type Matrix64,
  type MatrixLike,
  matmul,
  matmulABt,
  matmulAtB,
  matrix64,
  solve,
  solveLowerInPlace,
  solveUpperTransposedInPlace,
  transpose,
} from "./dense";
export { type EigenResult, generalizedSymmetricEigen, symmetricEigen } from "./eigen";
export {
  type BlockProduct,
  jsBlockProduct,
  type KnnGraph,
  type KnnMetric,
  type KnnOptions,
  knnGraph,
  pairwiseCosine,
} from "./knn";
export { fitPca, type PcaModel, type PcaOptions, pcaTransform } from "./pca";
export { projectSimplex } from "./simplex";
export {
  type CsrMatrix,
  csrFromCoo,
  csrFromKnn,
  csrMatVec,
  csrNnz,
  csrRowSums,
  csrToDense,
  csrTranspose,
  type LaplacianOptions,
  laplacian,
  type SymmetrizeMode,
  symmetrizeCsr,
} from "./sparse";
export {
  gershgorinBound,
  type SmallestEigenOptions,
  type SmallestEigenResult,
  type SymmetricOperator,
  smallestEigenpairs,
} from "./sparse-eigen";
export { orthogonalProcrustes, type SvdResult, svd } from "./svd";
