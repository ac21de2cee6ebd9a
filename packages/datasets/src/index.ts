export type { Matrix, SparseMatrix, LabelMatrix, CrossModalSet, Split } from "./types";
