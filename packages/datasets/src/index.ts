export { Rng } from "@cmh/hamming-index";
export { type CsvOptions, type CsvTable, readCsv, readCsvMatrix } from "./csv";
export { checkFinite, DatasetError, describeReadError } from "./errors";
export {
  DCMH_PREFIXES,
  DCMH_VARIABLES,
  type DcmhParts,
  type LoadOptions,
  loadDcmh,
  loadDcmhParts,
  loadTrainTestLayout,
} from "./layouts";
export { matToMatrix, pickVariable, readMat, sniffFormat, toLabelMatrix } from "./mat";
export {
  columnToRowMajor,
  type MatArray,
  type MatClass,
  type MatFile,
  type NumericArray,
} from "./mat-types";
export { mat73TimeLimitMs } from "./mat73";
export {
  applySplit,
  concatRows,
  fromSparse,
  labelMatrix,
  type MatrixCheck,
  type MatrixProblem,
  matrix,
  matrixProblem,
  selectLabelRows,
  selectRows,
  selectSparseRows,
  setBytes,
  subset,
  toDense,
  toSparse,
  validateCrossModalSet,
  validateMatrix,
  validateSparse,
} from "./matrix";
export { type NpyArray, readNpy, readNpyMatrix } from "./npy";
export {
  loadSplit,
  makeSplit,
  PROTOCOLS,
  type ProtocolSpec,
  type SplitFile,
  saveSplit,
  splitHash,
} from "./protocols";
export { type DatasetStats, datasetStats, type ModalityStats } from "./stats";
export {
  defaultDataset,
  MIRFLICKR25K_LABEL_COUNTS,
  SYNTHETIC_DEFAULTS,
  type SyntheticDataset,
  type SyntheticOptions,
  synthetic,
} from "./synthetic";
export type { CrossModalSet, LabelMatrix, Matrix, SparseMatrix, Split } from "./types";
export { KNOWN_FILES, sha256File, verifyFile } from "./verify";
