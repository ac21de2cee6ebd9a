export type { CrossModalSet, LabelMatrix, Matrix, SparseMatrix, Split } from "./types";
