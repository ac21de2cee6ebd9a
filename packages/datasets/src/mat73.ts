import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { DatasetError } from "./errors";
import { columnToRowMajor, type MatArray, type MatClass, type NumericArray } from "./mat-types";
import { fromSparse } from "./matrix";

/** What the worker (mat73-worker.mjs) reports about one top-level HDF5 object. */
interface Entry {
  key: string;
  type: string;
  mcls?: unknown;
  sparse?: unknown;
  jcShape?: number[] | null;
  jc?: unknown;
  ir?: unknown;
  data?: unknown;
  shape?: number[];
  empty?: unknown;
  dtype?: unknown;
  value?: unknown;
}
type Reply =
  | { id: number; entries: Entry[] }
  | { id: number; error: { stage: "load" | "open" | "read"; message: string } };

/**
 * Default time limit of one v7.3 read: 10 s, plus 1 s per 10 MB of file (a read slower than
 * 10 MB/s is taken as HDF5 looping on a corrupt file).
 */
export function mat73TimeLimitMs(fileBytes: number): number {
  return 10_000 + Math.ceil(fileBytes / 10_000_000) * 1000;
}

/** The folder of this module: dist/ when built (ESM or CJS), src/ when run from source. */
function here(): string {
  return typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
}

let worker: Worker | undefined;
let nextId = 0;
let queue: Promise<unknown> = Promise.resolve();

/** The reader thread, started on first use and kept (unreferenced while idle) for later reads. */
function reader(): Worker {
  if (!worker) {
    const w = new Worker(join(here(), "mat73-worker.mjs"));
    w.unref();
    w.on("error", () => {}); // reported through the pending read's exit handler
    w.on("exit", () => {
      if (worker === w) worker = undefined;
    });
    worker = w;
  }
  return worker;
}

/** Read in the worker thread; terminate it when `limitMs` passes (HDF5 looping on a bad file). */
function inWorker(
  path: string,
  variables: readonly string[] | undefined,
  limitMs: number,
): Promise<Reply> {
  const run = (): Promise<Reply> =>
    new Promise<Reply>((resolve, reject) => {
      const w = reader();
      const id = nextId++;
      const done = () => {
        clearTimeout(timer);
        w.off("message", onMessage);
        w.off("exit", onExit);
        w.off("error", onError);
        w.unref();
      };
      const timer = setTimeout(() => {
        done();
        if (worker === w) worker = undefined;
        void w.terminate();
        reject(
          new DatasetError(
            `${path}: the MAT v7.3 (HDF5) reader did not finish within ${limitMs} ms; the file is most likely corrupt (HDF5 can loop without end on a damaged file). If it is a valid, very large file, pass a longer timeLimitMs.`,
            { file: path, format: "MAT v7.3", timeLimitMs: limitMs },
          ),
        );
      }, limitMs);
      let failure: unknown;
      const onError = (e: unknown) => {
        failure = e;
      };
      const onMessage = (r: Reply) => {
        if (r.id !== id) return;
        done();
        resolve(r);
      };
      const onExit = (code: number) => {
        done();
        const why = failure instanceof Error ? failure.message : `exit code ${code}`;
        reject(
          new DatasetError(`${path}: the MAT v7.3 (HDF5) reader stopped (${why})`, {
            file: path,
            format: "MAT v7.3",
          }),
        );
      };
      w.ref();
      w.on("message", onMessage);
      w.on("exit", onExit);
      w.on("error", onError);
      w.postMessage({ id, path, variables: variables ? [...variables] : undefined });
    });
  // One read at a time, so that each time limit counts that read only.
  const p = queue.then(run, run);
  queue = p.catch(() => {});
  return p;
}

/** HDF5's error stack in a message, reduced to its deepest reason. */
function reason(text: string): string {
  const reasons = text
    .split("\n")
    .map((l) => /#\d+: .* in [\w]+\(\): (.*)$/.exec(l.trim())?.[1])
    .filter((x): x is string => !!x);
  return reasons.length ? reasons[reasons.length - 1] : text.split("\n")[0];
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

/**
 * Read the variables of a MAT v7.3 file (HDF5 with a 512-byte MATLAB userblock), or of a plain
 * HDF5 file. MATLAB stores a rows×cols matrix as an HDF5 dataset of shape [cols, rows]: dims are
 * reversed and the data converted to row-major. Datasets without a MATLAB_class attribute (plain
 * HDF5, e.g. from h5py) are taken as C-order with their HDF5 shape.
 */
export async function parseMat73(
  path: string,
  variables?: readonly string[],
  timeLimitMs?: number,
): Promise<{ matlab: boolean; variables: Record<string, MatArray> }> {
  const limit = timeLimitMs ?? mat73TimeLimitMs(statSync(path).size);
  const reply = await inWorker(path, variables, limit);
  if ("error" in reply) {
    const { stage, message } = reply.error;
    if (stage === "read")
      throw new DatasetError(`${path}: could not read HDF5 content (${reason(message)})`, {
        file: path,
      });
    throw new DatasetError(`${path}: HDF5 library could not open the file (${reason(message)})`, {
      file: path,
    });
  }
  const out: Record<string, MatArray> = {};
  let matlab = false;
  try {
    readAll(reply.entries);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const text = e instanceof Error ? e.message : String(e);
    throw new DatasetError(`${path}: could not read HDF5 content (${reason(text)})`, {
      file: path,
    });
  }
  return { matlab, variables: out };

  function readAll(entries: Entry[]): void {
    for (const ent of entries) {
      const key = ent.key;
      const mcls = ent.mcls;
      const hasMatlab = typeof mcls === "string";
      if (hasMatlab) matlab = true;
      let cls: MatClass = hasMatlab
        ? CLASSES.has(mcls as MatClass)
          ? (mcls as MatClass)
          : "unknown"
        : "unknown";
      const want = !variables || variables.includes(key);
      if (ent.type === "Group") {
        const sparseRows = ent.sparse;
        if (sparseRows !== undefined) {
          const nrows = Number(toNumeric(sparseRows)[0]);
          const ncols = ent.jcShape ? ent.jcShape.reduce((a, b) => a * b, 1) - 1 : 0;
          const dims = [nrows, ncols];
          if (!want || !ent.jcShape) {
            out[key] = { name: key, class: cls, dims, loaded: false };
            continue;
          }
          const jc = toNumeric(ent.jc);
          const nnz = Number(jc[ncols]);
          const ir = ent.ir !== undefined ? toNumeric(ent.ir) : new Float64Array(0);
          const vals = ent.data !== undefined ? toNumeric(ent.data) : new Float64Array(nnz).fill(1);
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
      if (ent.empty) {
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
