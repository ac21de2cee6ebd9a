// @ts-check
/**
 * Worker thread body for the MAT v7.3 / HDF5 reader (see mat73.ts). HDF5's C code (h5wasm) runs
 * here, not in the caller's thread, so that a corrupt file on which it loops without end can be
 * stopped by terminating this worker. Plain JavaScript (ESM), shipped next to the built files and
 * next to the sources, so that the same file runs from the tests, the ESM build and the CJS build;
 * `h5wasm/node` is resolved from this file's own location.
 *
 * Request: { id, path, variables? }. Reply: { id, entries } (the raw facts of each top-level
 * object, interpreted by mat73.ts) or { id, error: { stage: "load" | "open" | "read", message } }.
 */
import { parentPort } from "node:worker_threads";

/** @type {Promise<any> | undefined} */
let h5;

function load() {
  if (!h5) {
    h5 = (async () => {
      const mod = await import("h5wasm/node");
      const lib = mod.default ?? mod;
      const native = await lib.ready;
      // This thread only runs our reads: HDF5's error stack is always thrown, never printed.
      native.activate_throwing_error_handler();
      return lib;
    })();
  }
  return h5;
}

/** @param {unknown} e */
function text(e) {
  return e instanceof Error ? e.message : String(e);
}

/** @param {any} obj @param {string} name */
function attr(obj, name) {
  const a = obj.attrs[name];
  return a ? a.value : undefined;
}

/**
 * The facts mat73.ts needs about each top-level object; values are read only where the caller
 * would decode them (wanted variable, numeric or char class, not empty, not compound).
 * @param {any} file @param {string[] | undefined} variables
 */
function list(file, variables) {
  const entries = [];
  for (const key of file.keys()) {
    if (key.startsWith("#")) continue; // #refs#, #subsystem#
    const ent = file.get(key);
    if (!ent) continue;
    const mcls = attr(ent, "MATLAB_class");
    const want = !variables || variables.includes(key);
    /** @type {Record<string, unknown>} */
    const e = { key, type: ent.type, mcls };
    entries.push(e);
    if (ent.type === "Group") {
      const sparse = attr(ent, "MATLAB_sparse");
      e.sparse = sparse;
      if (sparse === undefined) continue;
      const jc = ent.get("jc");
      if (!jc) continue;
      e.jcShape = jc.shape;
      if (!want) continue;
      e.jc = jc.value;
      const ir = ent.get("ir");
      if (ir) e.ir = ir.value;
      const data = ent.get("data");
      if (data) e.data = data.value;
      continue;
    }
    if (ent.type !== "Dataset") continue;
    e.shape = ent.shape ?? [];
    e.empty = attr(ent, "MATLAB_empty");
    if (e.empty) continue;
    e.dtype = ent.dtype;
    if (typeof e.dtype === "object" && e.dtype !== null) continue;
    if (!want || mcls === "cell" || mcls === "struct") continue;
    e.value = ent.value;
  }
  return entries;
}

/** Buffers to move (not copy) back: only views that own their whole buffer (never wasm memory). */
function transfers(/** @type {Record<string, unknown>[]} */ entries) {
  /** @type {ArrayBuffer[]} */
  const out = [];
  for (const e of entries) {
    for (const v of [e.jc, e.ir, e.data, e.value]) {
      if (
        ArrayBuffer.isView(v) &&
        v.buffer instanceof ArrayBuffer &&
        v.byteOffset === 0 &&
        v.byteLength === v.buffer.byteLength &&
        !out.includes(v.buffer)
      )
        out.push(v.buffer);
    }
  }
  return out;
}

const port = parentPort;
if (!port) throw new Error("mat73-worker.mjs runs as a worker thread only");

port.on("message", async (/** @type {{ id: number, path: string, variables?: string[] }} */ m) => {
  const { id, path, variables } = m;
  let lib;
  try {
    lib = await load();
  } catch (e) {
    port.postMessage({ id, error: { stage: "load", message: text(e) } });
    return;
  }
  let file;
  try {
    file = new lib.File(path, "r");
  } catch (e) {
    port.postMessage({ id, error: { stage: "open", message: text(e) } });
    return;
  }
  try {
    const entries = list(file, variables);
    port.postMessage({ id, entries }, transfers(entries));
  } catch (e) {
    port.postMessage({ id, error: { stage: "read", message: text(e) } });
  } finally {
    try {
      file.close();
    } catch {
      // a failed close of a read-only file changes nothing the caller sees
    }
  }
});
