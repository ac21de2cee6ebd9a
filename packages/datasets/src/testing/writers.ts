// Test-only writers for the formats the loaders read. Not exported from the package.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

/** A fresh temporary folder for one test file. */
export function tempDir(prefix = "cmh-datasets-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  MATRIX: 14,
  COMPRESSED: 15,
};
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8 };
const MX: Record<string, number> = {
  char: 4,
  sparse: 5,
  double: 6,
  single: 7,
  int8: 8,
  uint8: 9,
  int16: 10,
  uint16: 11,
  int32: 12,
  uint32: 13,
  int64: 14,
  cell: 1,
};

/** One MAT v5 variable: dense data is given in MATLAB's column-major order. */
export interface Mat5Var {
  name: string;
  cls:
    | "double"
    | "single"
    | "int8"
    | "uint8"
    | "int16"
    | "uint16"
    | "int32"
    | "uint32"
    | "logical"
    | "char"
    | "cell";
  dims: number[];
  /** Column-major values (dense), or the char codes (char). */
  colMajor?: ArrayLike<number>;
  /** Store the values with this mi type (MATLAB stores e.g. integer-valued doubles as miUINT8). */
  storeAs?: keyof typeof MI;
  /** Sparse (CSC): row indices, column pointers and values. */
  sparse?: { ir: number[]; jc: number[]; pr: number[] };
}

function elem(type: number, payload: Uint8Array, le: boolean, small = true): Uint8Array {
  if (small && payload.length <= 4 && type !== MI.MATRIX) {
    const out = new Uint8Array(8);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, (payload.length << 16) | type, le);
    out.set(payload, 4);
    return out;
  }
  const padded = Math.ceil(payload.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, payload.length, le);
  out.set(payload, 8);
  return out;
}

function encode(type: number, values: ArrayLike<number>, le: boolean): Uint8Array {
  const size = MI_SIZE[type];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * size;
    switch (type) {
      case MI.INT8:
        dv.setInt8(o, v);
        break;
      case MI.UINT8:
        dv.setUint8(o, v);
        break;
      case MI.INT16:
        dv.setInt16(o, v, le);
        break;
      case MI.UINT16:
        dv.setUint16(o, v, le);
        break;
      case MI.INT32:
        dv.setInt32(o, v, le);
        break;
      case MI.UINT32:
        dv.setUint32(o, v, le);
        break;
      case MI.SINGLE:
        dv.setFloat32(o, v, le);
        break;
      case MI.DOUBLE:
        dv.setFloat64(o, v, le);
        break;
      case MI.INT64:
        dv.setBigInt64(o, BigInt(v), le);
        break;
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function defaultStore(cls: Mat5Var["cls"]): number {
  switch (cls) {
    case "single":
      return MI.SINGLE;
    case "int8":
      return MI.INT8;
    case "uint8":
    case "logical":
      return MI.UINT8;
    case "int16":
      return MI.INT16;
    case "uint16":
    case "char":
      return MI.UINT16;
    case "int32":
      return MI.INT32;
    case "uint32":
      return MI.UINT32;
    default:
      return MI.DOUBLE;
  }
}

/** Write a MAT v5 file, optionally with every variable in a zlib-compressed element. */
export function writeMat5(
  path: string,
  vars: Mat5Var[],
  opts: { compress?: boolean; bigEndian?: boolean } = {},
): void {
  const le = !opts.bigEndian;
  const header = new Uint8Array(128).fill(0x20);
  header.set(
    new TextEncoder().encode(
      "MATLAB 5.0 MAT-file, Platform: cmh-test, Created by the cmh test writer",
    ),
  );
  header.fill(0, 116, 124);
  new DataView(header.buffer).setUint16(124, 0x0100, le);
  header.set(le ? [0x49, 0x4d] : [0x4d, 0x49], 126); // "IM" little-endian, "MI" big-endian
  const parts: Uint8Array[] = [header];
  for (const v of vars) {
    const sparse = !!v.sparse;
    const classId = sparse ? MX.sparse : v.cls === "logical" ? MX.uint8 : MX[v.cls];
    const flags = classId | (v.cls === "logical" ? 0x200 : 0);
    const flagsEl = elem(
      MI.UINT32,
      encode(MI.UINT32, [flags, sparse ? v.sparse!.pr.length : 0], le),
      le,
      false,
    );
    const dimsEl = elem(MI.INT32, encode(MI.INT32, v.dims, le), le);
    const nameEl = elem(MI.INT8, new TextEncoder().encode(v.name), le);
    const body: Uint8Array[] = [flagsEl, dimsEl, nameEl];
    if (sparse) {
      body.push(elem(MI.INT32, encode(MI.INT32, v.sparse!.ir, le), le));
      body.push(elem(MI.INT32, encode(MI.INT32, v.sparse!.jc, le), le));
      body.push(elem(MI.DOUBLE, encode(MI.DOUBLE, v.sparse!.pr, le), le));
    } else if (v.cls !== "cell") {
      const t = v.storeAs ? MI[v.storeAs] : defaultStore(v.cls);
      body.push(elem(t, encode(t, v.colMajor ?? [], le), le));
    }
    const matrix = elem(MI.MATRIX, concat(body), le, false);
    if (opts.compress) {
      const z = deflateSync(matrix);
      const tag = new Uint8Array(8);
      new DataView(tag.buffer).setUint32(0, MI.COMPRESSED, le);
      new DataView(tag.buffer).setUint32(4, z.length, le);
      parts.push(tag, new Uint8Array(z));
    } else parts.push(matrix);
  }
  writeFileSync(path, concat(parts));
}

/** Write a .npy file: `values` in C order (or Fortran order when `fortran`), any supported dtype. */
export function writeNpy(
  path: string,
  descr: string,
  shape: number[],
  values: ArrayLike<number>,
  opts: { fortran?: boolean; version?: 1 | 2 | 3 } = {},
): void {
  const version = opts.version ?? 1;
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? "True" : "False"}, 'shape': ${shapeStr}, }`;
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = `${dict}${" ".repeat(total - pre - dict.length - 1)}\n`;
  const head = new Uint8Array(pre);
  head.set([0x93, ...new TextEncoder().encode("NUMPY"), version, 0]);
  const hv = new DataView(head.buffer);
  if (version === 1) hv.setUint16(8, dict.length, true);
  else hv.setUint32(8, dict.length, true);
  const le = descr[0] !== ">";
  const kind = descr.slice(1);
  const size = Number(kind.slice(1));
  const body = new Uint8Array(values.length * size);
  const dv = new DataView(body.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * size;
    if (kind === "f4") dv.setFloat32(o, v, le);
    else if (kind === "f8") dv.setFloat64(o, v, le);
    else if (kind === "u1" || kind === "b1") dv.setUint8(o, v);
    else if (kind === "i1") dv.setInt8(o, v);
    else if (kind === "i2") dv.setInt16(o, v, le);
    else if (kind === "i4") dv.setInt32(o, v, le);
    else if (kind === "i8") dv.setBigInt64(o, BigInt(v), le);
    else throw new Error(`writeNpy: unsupported ${descr}`);
  }
  writeFileSync(path, concat([head, new TextEncoder().encode(dict), body]));
}

/** One MAT v7.3 variable: dense data in MATLAB's column-major order, or a sparse CSC matrix. */
export interface Mat73Var {
  name: string;
  cls: "double" | "single" | "uint8" | "logical" | "char" | "int32";
  dims: number[];
  colMajor?: ArrayLike<number>;
  sparse?: { ir: number[]; jc: number[]; pr: number[] };
}

/**
 * Write a MAT v7.3 file the way MATLAB lays it out: an HDF5 file (written by h5wasm) behind a
 * 512-byte userblock holding the MAT header, datasets of shape = reversed dims, MATLAB_class
 * attributes, sparse matrices as groups with data/ir/jc. `userblock: false` writes plain HDF5.
 */
export async function writeMat73(
  path: string,
  vars: Mat73Var[],
  opts: { userblock?: boolean; matlabAttrs?: boolean } = {},
): Promise<void> {
  const mod = await import("h5wasm/node");
  const h5 = ((mod as unknown as { default?: typeof mod }).default ?? mod) as typeof mod;
  await h5.ready;
  const tmp = `${path}.h5tmp`;
  const f = new h5.File(tmp, "w");
  const attrs = opts.matlabAttrs ?? true;
  for (const v of vars) {
    if (v.sparse) {
      const g = f.create_group(v.name);
      g.create_attribute("MATLAB_class", v.cls);
      g.create_attribute("MATLAB_sparse", new BigUint64Array([BigInt(v.dims[0])]));
      g.create_dataset({ name: "data", data: Float64Array.from(v.sparse.pr) });
      g.create_dataset({ name: "ir", data: BigUint64Array.from(v.sparse.ir, (x) => BigInt(x)) });
      g.create_dataset({ name: "jc", data: BigUint64Array.from(v.sparse.jc, (x) => BigInt(x)) });
      continue;
    }
    const src = v.colMajor ?? [];
    const data =
      v.cls === "double"
        ? Float64Array.from(src)
        : v.cls === "single"
          ? Float32Array.from(src)
          : v.cls === "char"
            ? Uint16Array.from(src)
            : v.cls === "int32"
              ? Int32Array.from(src)
              : Uint8Array.from(src);
    const d = f.create_dataset({
      name: v.name,
      data,
      shape: attrs ? [...v.dims].reverse() : v.dims,
    });
    if (attrs) {
      d.create_attribute("MATLAB_class", v.cls);
      if (v.cls === "logical") d.create_attribute("MATLAB_int_decode", new Int32Array([1]));
    }
  }
  f.close();
  const body = readFileSync(tmp);
  if (opts.userblock === false) {
    writeFileSync(path, body);
    return;
  }
  const ub = new Uint8Array(512).fill(0x20);
  ub.set(
    new TextEncoder().encode(
      "MATLAB 7.3 MAT-file, Platform: cmh-test, Created by the cmh test writer HDF5 schema 1.00 .",
    ),
  );
  ub.fill(0, 116, 124);
  new DataView(ub.buffer).setUint16(124, 0x0200, true);
  ub.set([0x49, 0x4d], 126);
  ub.fill(0, 128);
  writeFileSync(path, concat([ub, new Uint8Array(body)]));
}
