import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { checkFinite, DatasetError, describeReadError } from "./errors";
import { describeVariables, type MatArray, type MatFile, type NumericArray } from "./mat-types";
import { parseMat5 } from "./mat5";
import { parseMat73 } from "./mat73";
import { toDense } from "./matrix";
import type { LabelMatrix, Matrix } from "./types";

const HDF5_SIG = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Read the first `n` bytes of a file (fewer if it is shorter). */
export function readHead(path: string, n: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function hdf5Offset(head: Uint8Array): number {
  // HDF5 looks for its superblock at 0, 512, 1024, 2048, ...
  for (let off = 0; off + 8 <= head.length; off = off === 0 ? 512 : off * 2) {
    if (HDF5_SIG.every((b, i) => head[off + i] === b)) return off;
  }
  return -1;
}

/** Bytes an HDF5 file needs according to its superblock's end-of-file address (undefined if unknown). */
function hdf5Extent(head: Uint8Array, off: number): number | undefined {
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = head[off + 8];
  let sizeOff: number;
  let baseAt: number;
  if (version === 0 || version === 1) {
    sizeOff = head[off + 13];
    baseAt = off + (version === 0 ? 24 : 28);
  } else if (version === 2 || version === 3) {
    sizeOff = head[off + 9];
    baseAt = off + 12;
  } else return undefined;
  if (sizeOff !== 8 && sizeOff !== 4) return undefined;
  const eofAt = baseAt + 2 * sizeOff;
  if (eofAt + sizeOff > head.length) return undefined;
  const read = (at: number): number =>
    sizeOff === 8 ? Number(dv.getBigUint64(at, true)) : dv.getUint32(at, true);
  const base = read(baseAt);
  const eof = read(eofAt);
  if (!Number.isSafeInteger(eof) || !Number.isSafeInteger(base)) return undefined;
  return (base === 0 ? off : base) + eof;
}

/** Say what kind of file the first bytes look like, for error messages. */
export function sniffFormat(head: Uint8Array): string {
  const ascii = new TextDecoder("latin1").decode(head.subarray(0, 64));
  if (head.length === 0) return "an empty file";
  if (ascii.startsWith("MATLAB 5.0")) return "MAT v5";
  if (ascii.startsWith("MATLAB 7.3"))
    return hdf5Offset(head) >= 0 ? "MAT v7.3 (HDF5)" : "a MAT v7.3 header without HDF5 data";
  if (hdf5Offset(head) >= 0) return "HDF5";
  if (head[0] === 0x93 && ascii.slice(1, 6) === "NUMPY") return "NumPy .npy";
  if (head[0] === 0x50 && head[1] === 0x4b) return "a ZIP archive (.npz?)";
  if (head[0] === 0x1f && head[1] === 0x8b) return "a gzip file";
  if (ascii.startsWith("<!DOCTYPE") || ascii.startsWith("<html"))
    return "an HTML page (a failed download?)";
  if (ascii.startsWith("version https://git-lfs"))
    return "a Git LFS pointer (the real file was not downloaded)";
  if (/^[\s\d.,eE+\-;\t]+$/.test(ascii)) return "numeric text (CSV?)";
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0)
    return "MAT v4 or unknown binary";
  return "an unknown format";
}

function checkFile(path: string): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile())
      throw new DatasetError(
        `${path}: ${st.isDirectory() ? "is a folder, not a file" : "is not a file"}`,
        { file: path },
      );
    size = st.size;
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(describeReadError(path, e), { file: path });
  }
  return size;
}

/**
 * Read a MATLAB .mat file: v5 (with compressed elements; numeric, logical, sparse and char arrays)
 * or v7.3 / plain HDF5 (through h5wasm). Matrices come back row-major with MATLAB's dims.
 * `variables` limits which variables are decoded (the others are listed with dims only).
 */
export async function readMat(
  path: string,
  options: {
    variables?: readonly string[];
    /**
     * MAT v7.3 / HDF5 only: how long the HDF5 reader may run before the file is reported as
     * corrupt (default 10 s plus 1 s per 10 MB, see mat73TimeLimitMs).
     */
    timeLimitMs?: number;
  } = {},
): Promise<MatFile> {
  const size = checkFile(path);
  const head = readHead(path, 4096);
  const ascii = new TextDecoder("latin1").decode(head.subarray(0, 128));
  const h5off = hdf5Offset(head);
  if (h5off >= 0) {
    const need = hdf5Extent(head, h5off);
    if (need !== undefined && need > size) {
      throw new DatasetError(
        `${path}: truncated ${ascii.startsWith("MATLAB") ? "MAT v7.3" : "HDF5"} file: its superblock says ${need} bytes, the file has ${size}`,
        { file: path, expected: need, found: size },
      );
    }
    const { matlab, variables } = await parseMat73(path, options.variables, options.timeLimitMs);
    const isMat = matlab || ascii.startsWith("MATLAB");
    return {
      path,
      format: isMat ? "MAT v7.3" : "HDF5",
      header: isMat && h5off > 0 ? ascii.slice(0, 116).replace(/[\s\0]+$/, "") : "",
      variables,
    };
  }
  if (
    ascii.startsWith("MATLAB 5.0") ||
    (size >= 128 && (head[126] === 0x49 || head[126] === 0x4d) && ascii.startsWith("MATLAB"))
  ) {
    const buf = new Uint8Array(readFileSync(path));
    const { header, variables } = parseMat5(buf, path, options.variables);
    return { path, format: "MAT v5", header, variables };
  }
  throw new DatasetError(
    `${path}: expected a MATLAB .mat file (MAT v5, or v7.3/HDF5), found ${sniffFormat(head)} (${size} bytes)`,
    { file: path, found: sniffFormat(head) },
  );
}

/** Pick the first of `names` present in a MAT file, or throw naming the file and what it holds. */
export function pickVariable(mat: MatFile, names: readonly string[], role: string): MatArray {
  for (const n of names) if (mat.variables[n]) return mat.variables[n];
  throw new DatasetError(
    `${mat.path} (${mat.format}): no ${role} variable; expected one of ${names.join(", ")}, found ${describeVariables(mat.variables)}`,
    { file: mat.path, expected: names, found: Object.keys(mat.variables) },
  );
}

function asFloat32(data: NumericArray): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  out.set(data);
  return out;
}

/**
 * Convert a 2-D numeric or sparse MAT variable to a dense float32 Matrix; NaN / Inf is an error
 * naming the variable, row and column unless `allowNonFinite`.
 */
export function matToMatrix(
  v: MatArray,
  where = "MAT file",
  options: { allowNonFinite?: boolean } = {},
): Matrix {
  const m = matToMatrixUnchecked(v, where);
  if (!options.allowNonFinite) checkFinite(m, `${where}: variable ${v.name}`);
  return m;
}

function matToMatrixUnchecked(v: MatArray, where: string): Matrix {
  if (v.sparse) return toDense(v.sparse);
  if (!v.data || !v.loaded) {
    throw new DatasetError(
      `${where}: variable ${v.name} is a ${v.class} ${v.dims.join("×")} array; expected a numeric 2-D matrix`,
    );
  }
  if (v.dims.length !== 2) {
    throw new DatasetError(
      `${where}: variable ${v.name} has ${v.dims.length} dimensions (${v.dims.join("×")}); expected a 2-D items×features matrix`,
    );
  }
  return { rows: v.dims[0], cols: v.dims[1], data: asFloat32(v.data) };
}

/**
 * Convert labels to a multi-hot LabelMatrix: a matrix of 0/1 stays as is; a single column (or
 * row) of integer class indices becomes one-hot, with columns for the sorted distinct classes
 * (pass `classes` to fix them, e.g. across train and test files). Class ids are names: negative
 * and non-contiguous ids are accepted, each distinct id one column.
 */
export function toLabelMatrix(m: Matrix, where: string, classes?: readonly number[]): LabelMatrix {
  let { rows, cols } = m;
  const d = m.data;
  let binary = true;
  for (let i = 0; i < d.length && binary; i++) binary = d[i] === 0 || d[i] === 1;
  if (cols === 1 || (rows === 1 && cols > 1 && !binary)) {
    if (rows === 1) [rows, cols] = [cols, 1];
    for (let i = 0; i < d.length; i++) {
      if (!Number.isInteger(d[i])) {
        throw new DatasetError(
          `${where}: class-index labels must be integers, found ${d[i]} at row ${i}`,
        );
      }
    }
    const cls = classes ?? Array.from(new Set(d)).sort((a, b) => a - b);
    const col = new Map(cls.map((c, i) => [c, i]));
    const out = new Uint8Array(rows * cls.length);
    for (let i = 0; i < rows; i++) {
      const c = col.get(d[i]);
      if (c === undefined)
        throw new DatasetError(
          `${where}: class ${d[i]} at row ${i} is not among ${cls.join(", ")}`,
        );
      out[i * cls.length + c] = 1;
    }
    return { rows, cols: cls.length, data: out };
  }
  if (!binary) {
    const i = d.findIndex((x) => x !== 0 && x !== 1);
    throw new DatasetError(
      `${where}: labels of shape ${rows}×${cols} must be multi-hot 0/1 (or one column of class indices); found ${d[i]} at row ${Math.floor(i / cols)}, col ${i % cols}`,
    );
  }
  const out = new Uint8Array(d.length);
  out.set(d);
  return { rows, cols, data: out };
}
