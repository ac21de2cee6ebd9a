import { DatasetError } from "./errors";
import { columnToRowMajor, type MatArray, type MatClass, type NumericArray } from "./mat-types";
import { fromSparse } from "./matrix";

type H5Module = typeof import("h5wasm/node");
interface H5 {
  lib: H5Module;
  /** The Emscripten module: switches HDF5's error printing to thrown errors. */
  native: {
    activate_throwing_error_handler(): number;
    deactivate_throwing_error_handler(): number;
  };
}
let h5promise: Promise<H5> | undefined;

/** Load h5wasm (WebAssembly HDF5) on first use only. */
async function h5(): Promise<H5> {
  if (!h5promise) {
    h5promise = (async () => {
      const mod = await import("h5wasm/node");
      const lib = ((mod as unknown as { default?: H5Module }).default ?? mod) as H5Module;
      const native = (await lib.ready) as unknown as H5["native"];
      return { lib, native };
    })();
  }
  return h5promise;
}

/**
 * Run synchronous h5wasm calls with HDF5's error stack thrown (not printed to stderr), then restore
 * the library's default handler. A failure's message is reduced to its deepest HDF5 reason.
 */
function quietly<T>(native: H5["native"], fn: () => T): T {
  native.activate_throwing_error_handler();
  try {
    return fn();
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const reasons = text
      .split("\n")
      .map((l) => /#\d+: .* in [\w]+\(\): (.*)$/.exec(l.trim())?.[1])
      .filter((x): x is string => !!x);
    throw new Error(reasons.length ? reasons[reasons.length - 1] : text.split("\n")[0]);
  } finally {
    native.deactivate_throwing_error_handler();
  }
}

const CLASSES = new Set<MatClass>([
  "double",
  "single",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "logical",
  "char",
  "cell",
  "struct",
]);

function toNumeric(v: unknown): NumericArray {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array)
    return Float64Array.from(v, (x) => Number(x));
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    if (v instanceof Uint8ClampedArray) return new Uint8Array(v);
    return v as NumericArray;
  }
  if (typeof v === "number" || typeof v === "bigint") return new Float64Array([Number(v)]);
  if (typeof v === "boolean") return new Uint8Array([v ? 1 : 0]);
  throw new Error(`unsupported HDF5 value of type ${typeof v}`);
}

function attr(obj: { attrs: Record<string, { value: unknown }> }, name: string): unknown {
  const a = obj.attrs[name];
  return a ? a.value : undefined;
}

/**
 * Read the variables of a MAT v7.3 file (HDF5 with a 512-byte MATLAB userblock), or of a plain
 * HDF5 file. MATLAB stores a rows×cols matrix as an HDF5 dataset of shape [cols, rows]: dims are
 * reversed and the data converted to row-major. Datasets without a MATLAB_class attribute (plain
 * HDF5, e.g. from h5py) are taken as C-order with their HDF5 shape.
 */
export async function parseMat73(
  path: string,
  variables?: readonly string[],
): Promise<{ matlab: boolean; variables: Record<string, MatArray> }> {
  const { lib: m, native } = await h5();
  let file: InstanceType<H5Module["File"]>;
  try {
    file = quietly(native, () => new m.File(path, "r"));
  } catch (e) {
    throw new DatasetError(
      `${path}: HDF5 library could not open the file (${(e as Error).message})`,
      { file: path },
    );
  }
  const out: Record<string, MatArray> = {};
  let matlab = false;
  try {
    quietly(native, () => readAll());
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`${path}: could not read HDF5 content (${(e as Error).message})`, {
      file: path,
    });
  } finally {
    file.close();
  }
  return { matlab, variables: out };

  function readAll(): void {
    for (const key of file.keys()) {
      if (key.startsWith("#")) continue; // #refs#, #subsystem#
      const ent = file.get(key) as unknown as {
        type: string;
        attrs: Record<string, { value: unknown }>;
        shape?: number[] | null;
        value?: unknown;
        dtype?: unknown;
        get?: (k: string) => unknown;
        keys?: () => string[];
      } | null;
      if (!ent) continue;
      const mcls = attr(ent, "MATLAB_class");
      const hasMatlab = typeof mcls === "string";
      if (hasMatlab) matlab = true;
      let cls: MatClass = hasMatlab
        ? CLASSES.has(mcls as MatClass)
          ? (mcls as MatClass)
          : "unknown"
        : "unknown";
      const want = !variables || variables.includes(key);
      if (ent.type === "Group") {
        const sparseRows = attr(ent, "MATLAB_sparse");
        if (sparseRows !== undefined && ent.get) {
          const nrows = Number(toNumeric(sparseRows)[0]);
          const jcDs = ent.get("jc") as { value: unknown; shape: number[] } | null;
          const ncols = jcDs ? jcDs.shape.reduce((a, b) => a * b, 1) - 1 : 0;
          const dims = [nrows, ncols];
          if (!want || !jcDs) {
            out[key] = { name: key, class: cls, dims, loaded: false };
            continue;
          }
          const jc = toNumeric(jcDs.value);
          const nnz = Number(jc[ncols]);
          const irDs = ent.get("ir") as { value: unknown } | null;
          const dataDs = ent.get("data") as { value: unknown } | null;
          const ir = irDs ? toNumeric(irDs.value) : new Float64Array(0);
          const vals = dataDs ? toNumeric(dataDs.value) : new Float64Array(nnz).fill(1);
          const colIdx = new Uint32Array(nnz);
          for (let c = 0; c < ncols; c++) for (let k = jc[c]; k < jc[c + 1]; k++) colIdx[k] = c;
          out[key] = {
            name: key,
            class: cls,
            dims,
            sparse: fromSparse(nrows, ncols, ir.subarray(0, nnz), colIdx, vals.subarray(0, nnz)),
            loaded: true,
          };
        } else {
          out[key] = { name: key, class: hasMatlab ? cls : "struct", dims: [1, 1], loaded: false };
        }
        continue;
      }
      if (ent.type !== "Dataset") continue;
      const shape = ent.shape ?? [];
      if (attr(ent, "MATLAB_empty")) {
        out[key] = { name: key, class: cls, dims: [0, 0], loaded: true, data: new Float64Array(0) };
        continue;
      }
      const dims = hasMatlab ? [...shape].reverse() : [...shape];
      if (dims.length === 1) dims.push(1);
      if (dims.length === 0) dims.push(1, 1);
      if (!hasMatlab) cls = guessClass(ent.dtype);
      if (typeof ent.dtype === "object" && ent.dtype !== null) {
        out[key] = { name: key, class: cls, dims, complex: true, loaded: false };
        continue;
      }
      if (!want || cls === "cell" || cls === "struct") {
        out[key] = { name: key, class: cls, dims, loaded: false };
        continue;
      }
      const raw = toNumeric(ent.value);
      if (cls === "char") {
        out[key] = {
          name: key,
          class: cls,
          dims,
          text: String.fromCharCode(...Array.from(raw)),
          loaded: true,
        };
        continue;
      }
      // MATLAB: HDF5 C-order over reversed dims == column-major over dims.
      const data = hasMatlab ? columnToRowMajor(raw, dims) : raw;
      out[key] = { name: key, class: cls, dims, data, loaded: true };
    }
  }
}

function guessClass(dtype: unknown): MatClass {
  switch (dtype) {
    case "<d":
    case ">d":
      return "double";
    case "<f":
    case ">f":
      return "single";
    case "|B":
    case "<B":
      return "uint8";
    case "|b":
    case "<b":
      return "int8";
    case "<h":
      return "int16";
    case "<H":
      return "uint16";
    case "<i":
      return "int32";
    case "<I":
      return "uint32";
    case "<q":
      return "int64";
    case "<Q":
      return "uint64";
    default:
      return "unknown";
  }
}
