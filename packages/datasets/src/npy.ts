import { readFileSync } from "node:fs";
import { checkFinite, DatasetError, describeReadError } from "./errors";
import { readHead, sniffFormat } from "./mat";
import { columnToRowMajor, type NumericArray } from "./mat-types";
import type { Matrix } from "./types";

/** A NumPy array read from a .npy file; `data` is in row-major (C) order whatever the file order. */
export interface NpyArray {
  readonly path: string;
  /** NumPy type string as stored, e.g. "<f4". */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  readonly data: NumericArray;
}

const SIZES: Record<string, number> = {
  f4: 4,
  f8: 8,
  u1: 1,
  i1: 1,
  b1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
};

/** Read a .npy file (format v1, v2 or v3; little or big endian; f4/f8/u1/i1/b1/i2/u2/i4/u4/i8/u8; C or Fortran order). */
export function readNpy(path: string): NpyArray {
  let buf: Uint8Array;
  try {
    buf = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new DatasetError(describeReadError(path, e), { file: path });
  }
  const magic = buf[0] === 0x93 && new TextDecoder("latin1").decode(buf.subarray(1, 6)) === "NUMPY";
  if (!magic) {
    throw new DatasetError(
      `${path}: expected a NumPy .npy file (magic "\\x93NUMPY"), found ${sniffFormat(readHead(path, 512))}`,
    );
  }
  if (buf.length < 12) {
    throw new DatasetError(
      `${path}: truncated .npy file: ${buf.length} bytes, shorter than its preamble`,
      { file: path },
    );
  }
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let hlen: number;
  let hstart: number;
  if (major === 1) {
    hlen = view.getUint16(8, true);
    hstart = 10;
  } else if (major === 2 || major === 3) {
    hlen = view.getUint32(8, true);
    hstart = 12;
  } else {
    throw new DatasetError(
      `${path}: .npy format version ${major}.${buf[7]} is not supported (expected 1, 2 or 3)`,
    );
  }
  if (hstart + hlen > buf.length) {
    throw new DatasetError(
      `${path}: truncated .npy file: the header declares ${hlen} bytes, the file has ${buf.length - hstart} after the preamble`,
      { file: path },
    );
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    buf.subarray(hstart, hstart + hlen),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeStr === undefined) {
    throw new DatasetError(`${path}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const dimStrs = shapeStr
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (!dimStrs.every((d) => /^\d+L?$/.test(d))) {
    throw new DatasetError(
      `${path}: malformed .npy header: shape (${shapeStr}) must list non-negative integers`,
      { file: path },
    );
  }
  const shape = dimStrs.map((d) => Number(d.replace(/L$/, "")));
  const endian = descr[0];
  const kind = descr.slice(1);
  const size = SIZES[kind];
  if (!size || !"<>|=".includes(endian)) {
    throw new DatasetError(
      `${path}: .npy dtype ${JSON.stringify(descr)} is not supported (expected one of f4, f8, u1, i1, b1, i2, u2, i4, u4, i8, u8 with <, > or |)`,
    );
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (!Number.isSafeInteger(n * size) || buf.length - start < n * size) {
    throw new DatasetError(
      `${path}: truncated .npy: shape (${shape.join(", ")}) of ${descr} needs ${n * size} data bytes, file has ${buf.length - start}`,
    );
  }
  const bytes = buf.slice(start, start + n * size);
  if (endian === ">" && size > 1)
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  const b = bytes.buffer;
  let data: NumericArray;
  switch (kind) {
    case "f4":
      data = new Float32Array(b);
      break;
    case "f8":
      data = new Float64Array(b);
      break;
    case "u1":
    case "b1":
      data = new Uint8Array(b);
      break;
    case "i1":
      data = new Int8Array(b);
      break;
    case "i2":
      data = new Int16Array(b);
      break;
    case "u2":
      data = new Uint16Array(b);
      break;
    case "i4":
      data = new Int32Array(b);
      break;
    case "u4":
      data = new Uint32Array(b);
      break;
    case "i8":
      data = Float64Array.from(new BigInt64Array(b), (x) => Number(x));
      break;
    default:
      data = Float64Array.from(new BigUint64Array(b), (x) => Number(x));
  }
  const fortranOrder = fortran === "True";
  if (fortranOrder && shape.length > 1) data = columnToRowMajor(data, shape);
  return { path, dtype: descr, shape, fortranOrder, data };
}

/**
 * Read a 2-D .npy file as a float32 Matrix (a 1-D array becomes one column). NaN / Inf (or a
 * float64 beyond float32's range) is an error naming the row and column unless `allowNonFinite`.
 */
export function readNpyMatrix(path: string, options: { allowNonFinite?: boolean } = {}): Matrix {
  const a = readNpy(path);
  if (a.shape.length > 2) {
    throw new DatasetError(
      `${path}: .npy array has shape (${a.shape.join(", ")}); expected 2-D items×features`,
    );
  }
  const rows = a.shape[0] ?? 1;
  const cols = a.shape.length === 2 ? a.shape[1] : 1;
  let data: Float32Array;
  if (a.data instanceof Float32Array) data = a.data;
  else {
    data = new Float32Array(a.data.length);
    data.set(a.data);
  }
  const m = { rows, cols, data };
  if (!options.allowNonFinite) checkFinite(m, `${path} (.npy)`);
  return m;
}
