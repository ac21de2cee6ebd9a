/**
 * Backend selection: the one file of tensor-core with side effects (it registers tfjs backends and
 * kernels). Nothing happens at import time; `initBackend` does the work once per process.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import {
  defaultThreads,
  matMulThreads,
  POOL_MIN_MACS,
  pooledMatMul,
  startMatMulPool,
} from "./matmul-pool";

/** A backend choice: "auto" picks the best available one. */
export type BackendChoice = "auto" | "tensorflow" | "wasm" | "cpu";

/** Options for `initBackend`. */
export interface InitBackendOptions {
  /** Force a backend; default: `process.env.CMH_BACKEND` or "auto". */
  readonly backend?: BackendChoice;
  /** Where the one-line selection message goes; `false` silences it. Default: stderr. */
  readonly log?: ((line: string) => void) | false;
  /**
   * Threads for large WASM matrix products (main thread included; 1 disables the worker pool).
   * Default: `process.env.CMH_THREADS` ("auto"/0 = min(available cores, 4)), else 1. WASM only.
   */
  readonly threads?: number;
}

/** What `initBackend` chose and why. */
export interface BackendInfo {
  /** tfjs backend name now active: "tensorflow", "wasm" or "cpu". */
  readonly name: string;
  /** For "tensorflow": which package provided it ("@tensorflow/tfjs-node-gpu" or "@tensorflow/tfjs-node"). */
  readonly provider?: string;
  /** Why each better backend was not used (empty when the best one was). */
  readonly skipped: readonly string[];
  /**
   * tensor-core's kernel fixes active on this backend, as "backend:Kernel" (e.g. "wasm:Tanh");
   * empty on backends that run tfjs's own kernels unchanged. See `activeKernelFixes`.
   */
  readonly kernelFixes: readonly string[];
  /** The single log line printed. */
  readonly message: string;
}

const CHOICES: readonly BackendChoice[] = ["auto", "tensorflow", "wasm", "cpu"];

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
let pendingChoice: BackendChoice | undefined;

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0].slice(0, 160);
}

function reasonNotLoaded(pkg: string, e: unknown): string {
  const msg = firstLine(e);
  if (/Cannot find (module|package) '@tensorflow\//.test(msg) || /ERR_MODULE_NOT_FOUND/.test(msg)) {
    return `${pkg} not installed`;
  }
  if (/\.node|binding|napi|libtensorflow/i.test(msg)) {
    return `${pkg} installed without its native binding (its install downloads libtensorflow)`;
  }
  return `${pkg} failed to load: ${msg}`;
}

/** Why `pkg` cannot work, found without loading it (loading pulls in all of @tensorflow/tfjs). */
function nativeProblem(pkg: string): string | undefined {
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} not installed`;
  }
  try {
    const meta = JSON.parse(readFileSync(pkgJson, "utf8")) as { binary?: { module_path?: string } };
    const modulePath = meta.binary?.module_path ?? "./lib/napi-v{napi_build_version}/";
    const libDir = join(dirname(pkgJson), dirname(modulePath.replace(/\{[^}]*\}.*$/, "x")));
    const found =
      existsSync(libDir) &&
      readdirSync(libDir).some((d) => existsSync(join(libDir, d, "tfjs_binding.node")));
    return found
      ? undefined
      : `${pkg} installed without its native binding (its install downloads libtensorflow)`;
  } catch {
    return undefined; // unknown layout: let the import decide
  }
}

async function tryNative(): Promise<{ provider?: string; reasons: string[] }> {
  const reasons: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    const problem = nativeProblem(pkg);
    if (problem) {
      reasons.push(problem);
      continue;
    }
    try {
      await import(/* @vite-ignore */ pkg);
      if (tf.findBackend("tensorflow") || tf.findBackendFactory("tensorflow")) {
        return { provider: pkg, reasons };
      }
      reasons.push(`${pkg} loaded but registered no "tensorflow" backend`);
    } catch (e) {
      reasons.push(reasonNotLoaded(pkg, e));
    }
  }
  return { reasons };
}

async function activate(name: "tensorflow" | "wasm" | "cpu"): Promise<string | undefined> {
  try {
    if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    if (name === "cpu") await import("@tensorflow/tfjs-backend-cpu");
    const ok = await tf.setBackend(name);
    if (!ok || tf.getBackend() !== name) return `${name} backend failed to initialise`;
    return undefined;
  } catch (e) {
    return `${name} backend failed to initialise: ${firstLine(e)}`;
  }
}

function parseChoice(value: string, source: string): BackendChoice {
  const v = value.trim().toLowerCase() as BackendChoice;
  if (!CHOICES.includes(v)) {
    throw new Error(
      `${source} must be one of ${CHOICES.map((c) => `"${c}"`).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return v;
}

async function select(
  choice: BackendChoice,
  log: ((line: string) => void) | false,
  threads: number,
): Promise<BackendInfo> {
  const skipped: string[] = [];
  let provider: string | undefined;
  let name: "tensorflow" | "wasm" | "cpu" | undefined;
  if (choice === "auto" || choice === "tensorflow") {
    const r = await tryNative();
    provider = r.provider;
    skipped.push(...r.reasons);
    if (provider) {
      const err = await activate("tensorflow");
      if (err) skipped.push(err);
      else name = "tensorflow";
    }
    if (!name && choice === "tensorflow") {
      throw new Error(
        `backend "tensorflow" was requested but is unavailable: ${skipped.join("; ")}`,
      );
    }
  }
  if (!name && (choice === "auto" || choice === "wasm")) {
    const err = await activate("wasm");
    if (err) {
      if (choice === "wasm")
        throw new Error(`backend "wasm" was requested but is unavailable: ${err}`);
      skipped.push(err);
    } else name = "wasm";
  }
  if (!name) {
    const err = await activate("cpu");
    if (err)
      throw new Error(`no tfjs backend could be initialised: ${[...skipped, err].join("; ")}`);
    name = "cpu";
  }
  if (name === "wasm") {
    installWasmFixes();
    await startMatMulPool(threads);
  }
  const why =
    choice === "auto"
      ? skipped.length > 0
        ? ` (${skipped.join("; ")})`
        : ""
      : ` (forced by ${process.env.CMH_BACKEND ? "CMH_BACKEND" : "option"})`;
  const pooled =
    name === "wasm" && matMulThreads() > 1 ? `, ${matMulThreads()} matMul threads` : "";
  const kernelFixes = activeKernelFixes();
  const fixes =
    kernelFixes.length > 0
      ? `, kernel fixes: ${kernelFixes.map((f) => f.slice(f.indexOf(":") + 1)).join(", ")}`
      : ", no kernel fixes";
  const message = `[cmh] tfjs backend: ${name}${provider && name === "tensorflow" ? ` via ${provider}` : ""}${pooled}${fixes}${why}`;
  if (log) log(message);
  return {
    name,
    provider: name === "tensorflow" ? provider : undefined,
    skipped,
    kernelFixes,
    message,
  };
}

/**
 * Choose and activate the tfjs backend, once per process: `CMH_BACKEND` (or `options.backend`)
 * forces one and fails clearly if it is unavailable; "auto" prefers tfjs-node-gpu, tfjs-node,
 * wasm, then cpu. Logs one line naming the backend and why better ones were not used.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.CMH_BACKEND;
  const choice = options.backend
    ? parseChoice(options.backend, "backend option")
    : env
      ? parseChoice(env, "CMH_BACKEND")
      : "auto";
  if (current && (choice === "auto" || choice === current.name)) return current;
  if (pending && (choice === "auto" || choice === pendingChoice)) return pending;
  pendingChoice = choice;
  tf.enableProdMode();
  await ensureGradients();
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`threads must be a positive integer, got ${threads}`);
  }
  pending = select(
    choice,
    options.log === undefined ? (l) => console.error(l) : options.log,
    threads,
  ).then(
    (info) => {
      current = info;
      pending = undefined;
      return info;
    },
    (e) => {
      pending = undefined;
      throw e;
    },
  );
  return pending;
}

let gradientsLoaded = false;

/**
 * Register tfjs-core's gradient functions (absent from its Node bundle) unless something (e.g.
 * tfjs-node) already did. Called by `initBackend`.
 */
export async function ensureGradients(): Promise<void> {
  if (gradientsLoaded) return;
  if (!tf.getGradient("BatchMatMul") || !tf.getGradient("Sum")) await import("./gradients");
  gradientsLoaded = true;
}

/** Name of the active tfjs backend ("tensorflow", "wasm", "cpu"), or "none" before `initBackend`. */
export function backendName(): string {
  return current ? tf.getBackend() : "none";
}

/**
 * Backends this process can run, best first: "tensorflow" when tfjs-node(-gpu) is installed with
 * its native binding, then "wasm" and "cpu" when their packages resolve. Found without loading any.
 */
export function availableBackends(): ("tensorflow" | "wasm" | "cpu")[] {
  const out: ("tensorflow" | "wasm" | "cpu")[] = [];
  if (["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"].some((p) => !nativeProblem(p))) {
    out.push("tensorflow");
  }
  const req = createRequire(import.meta.url);
  for (const [name, pkg] of [
    ["wasm", "@tensorflow/tfjs-backend-wasm"],
    ["cpu", "@tensorflow/tfjs-backend-cpu"],
  ] as const) {
    try {
      req.resolve(pkg);
      out.push(name);
    } catch {
      // not installed: not available
    }
  }
  return out;
}

/**
 * tensor-core's kernel fixes that apply to the active backend, as "backend:Kernel" ("wasm:BatchMatMul",
 * "wasm:_FusedMatMul", "wasm:Sum", "wasm:Mean", "wasm:Tanh"); empty when tfjs's own kernels run
 * unchanged (cpu, tensorflow, or WASM after `uninstallWasmFixes`). Fit reports record it.
 */
export function activeKernelFixes(): string[] {
  if (!wasmFixInstalled || tf.getBackend() !== "wasm") return [];
  return originals.map((o) => `wasm:${o.name}`);
}

/** Throw unless `initBackend` has completed (training helpers call this). */
export function requireBackend(): void {
  if (!current) {
    throw new Error("no tfjs backend selected: `await initBackend()` from @cmh/tensor-core first");
  }
}

// ---------------------------------------------------------------------------------------------
// WASM kernel fixes. tfjs 4.22's WASM BatchMatMul is ~30 GFLOP/s on plain operands but 10-40x
// slower with transposeA/transposeB, and matMul's gradient uses exactly those forms. We wrap the
// WASM kernels so a transposed operand is first transposed explicitly (a separate, fast kernel) and
// the plain multiply runs; when it is cheaper, the transposed product (B^T A^T)^T is computed
// instead. This fixes forward calls and every built-in gradient (matMul, dense, fused) at once.
// ---------------------------------------------------------------------------------------------

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: tf.KernelBackend & { disposeData(id: tf.DataId): boolean };
  attrs?: Record<string, unknown>;
};

let wasmFixInstalled = false;
let originals: { name: string; config: tf.KernelConfig }[] = [];

function size(t: tf.TensorInfo): number {
  let s = 1;
  for (const d of t.shape) s *= d;
  return s;
}

function swapPerm(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  p[rank - 2] = rank - 1;
  p[rank - 1] = rank - 2;
  return p;
}

function wrapMatMul(
  orig: tf.KernelConfig,
  transposeKernel: tf.KernelConfig,
  fused: boolean,
): tf.KernelConfig {
  const run = orig.kernelFunc as unknown as (a: KernelArgs) => tf.TensorInfo;
  const tr = transposeKernel.kernelFunc as unknown as (a: KernelArgs) => tf.TensorInfo;
  const plain = fused ? run : (x: KernelArgs) => runPooled(x, run);
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const ta = !!attrs.transposeA;
    const tb = !!attrs.transposeB;
    const { a, b } = args.inputs;
    const backend = args.backend;
    if ((!ta && !tb) || a.shape.length < 2 || b.shape.length < 2) return plain(args);
    const temps: tf.TensorInfo[] = [];
    const T = (x: tf.TensorInfo): tf.TensorInfo => {
      const y = tr({ inputs: { x }, backend, attrs: { perm: swapPerm(x.shape.length) } });
      temps.push(y);
      return y;
    };
    try {
      const outRows = ta ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
      const outCols = tb ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
      const outSize =
        (size(a) / (a.shape[a.shape.length - 1] * a.shape[a.shape.length - 2])) * outRows * outCols;
      // Option 1: materialise op(a), op(b). Option 2 (not for fused: bias/activation apply to the
      // output): out = (op(b)^T op(a)^T)^T.
      const cost1 = (ta ? size(a) : 0) + (tb ? size(b) : 0);
      const cost2 = (tb ? 0 : size(b)) + (ta ? 0 : size(a)) + outSize;
      const sameBatch = a.shape.length === 2 && b.shape.length === 2;
      if (fused || cost1 <= cost2 || !sameBatch) {
        const aa = ta ? T(a) : a;
        const bb = tb ? T(b) : b;
        return plain({
          ...args,
          inputs: { ...args.inputs, a: aa, b: bb },
          attrs: { ...attrs, transposeA: false, transposeB: false },
        });
      }
      const bt = tb ? b : T(b);
      const at = ta ? a : T(a);
      const outT = plain({
        ...args,
        inputs: { a: bt, b: at },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      temps.push(outT);
      return tr({ inputs: { x: outT }, backend, attrs: { perm: [1, 0] } });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  return { ...orig, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

type WasmBackendLike = tf.KernelBackend & {
  disposeData(id: tf.DataId): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
};

/**
 * A plain (untransposed) rank-2 float32 product, split by rows across the matMul worker pool when
 * it is running and the product is large; otherwise the WASM kernel alone.
 */
function runPooled(args: KernelArgs, run: (a: KernelArgs) => tf.TensorInfo): tf.TensorInfo {
  const { a, b } = args.inputs;
  const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  if (
    matMulThreads() < 2 ||
    attrs.transposeA ||
    attrs.transposeB ||
    a.shape.length !== 2 ||
    b.shape.length !== 2 ||
    a.dtype !== "float32" ||
    b.dtype !== "float32"
  ) {
    return run(args);
  }
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (m * k * n < POOL_MIN_MACS) return run(args);
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput([m, n], "float32");
  try {
    const res = pooledMatMul(
      backend.typedArrayFromHeap(a),
      backend.typedArrayFromHeap(b),
      m,
      k,
      n,
      (r0, r1) => {
        const part = backend.makeOutput([r1 - r0, k], "float32");
        try {
          backend
            .typedArrayFromHeap(part)
            .set(backend.typedArrayFromHeap(a).subarray(r0 * k, r1 * k));
          const c = run({
            inputs: { a: part, b },
            backend: args.backend,
            attrs: { transposeA: false, transposeB: false },
          });
          backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(c), r0 * n);
          backend.disposeData(c.dataId);
        } finally {
          backend.disposeData(part.dataId);
        }
      },
    );
    if (!res) {
      backend.disposeData(out.dataId);
      return run(args);
    }
    backend.typedArrayFromHeap(out).set(res.rest, res.offset);
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  }
}

/**
 * Sum/Mean over leading axes (e.g. bias gradients, batch means: axis 0 of [batch, features]) make
 * the WASM kernels transpose first, ~50x slower than a plain product with a ones row. This wraps
 * them: reducing axis 0 of a float32 [R, C] tensor becomes ones[1, R] x X via BatchMatMul.
 */
function wrapReduce(
  orig: tf.KernelConfig,
  matMul: tf.KernelConfig,
  mean: boolean,
): tf.KernelConfig {
  const run = orig.kernelFunc as unknown as (a: KernelArgs) => tf.TensorInfo;
  const mm = matMul.kernelFunc as unknown as (a: KernelArgs) => tf.TensorInfo;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const x = args.inputs.x;
    const attrs = (args.attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
    const rank = x.shape.length;
    // Rank 2 only: the WASM matMul caches XNNPack operators by the id of its second operand, so
    // viewing one tensor under different 2-D shapes (rank > 2, different axis counts) is unsafe.
    if (x.dtype !== "float32" || rank !== 2 || attrs.axis === undefined) return run(args);
    const axes = [
      ...new Set(
        (Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis]).map((a) => (a < 0 ? a + rank : a)),
      ),
    ].sort((a, b) => a - b);
    const k = axes.length;
    if (k === 0 || k >= rank || axes.some((a, i) => a !== i)) return run(args);
    const R = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const C = x.shape.slice(k).reduce((a, b) => a * b, 1);
    if (R < 2 || C < 1) return run(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const ones = backend.makeOutput([1, R], "float32");
    try {
      backend.typedArrayFromHeap(ones).fill(mean ? 1 / R : 1);
      const x2: tf.TensorInfo = { dataId: x.dataId, shape: [R, C], dtype: x.dtype };
      const out = mm({
        inputs: { a: ones, b: x2 },
        backend: args.backend,
        attrs: { transposeA: false, transposeB: false },
      });
      const rest = x.shape.slice(k);
      const shape = attrs.keepDims ? [...Array(k).fill(1), ...rest] : rest;
      return { dataId: out.dataId, shape, dtype: out.dtype };
    } finally {
      backend.disposeData(ones.dataId);
    }
  };
  return { ...orig, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * The WASM Tanh kernel evaluates libm's tanhf per element (~20 ns each, 10-20x slower than the
 * XNNPack sigmoid); tanh(x) = 2·sigmoid(2x) − 1 is computed with the fast kernels instead
 * (absolute error below 1e-7). Its gradient (from the output) is unchanged.
 */
function wrapTanh(orig: tf.KernelConfig): tf.KernelConfig | undefined {
  const k = (name: string) =>
    tf.getKernel(name, "wasm")?.kernelFunc as unknown as
      | ((a: KernelArgs) => tf.TensorInfo)
      | undefined;
  const sigmoid = k("Sigmoid");
  const mul = k("Multiply");
  const sub = k("Sub");
  if (!sigmoid || !mul || !sub) return undefined;
  const run = orig.kernelFunc as unknown as (a: KernelArgs) => tf.TensorInfo;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const x = args.inputs.x;
    if (x.dtype !== "float32") return run(args);
    const backend = args.backend as unknown as WasmBackendLike & {
      makeOutput(
        shape: number[],
        dtype: tf.DataType,
        offset?: number,
        values?: Float32Array,
      ): tf.TensorInfo;
    };
    const two = backend.makeOutput([], "float32", undefined, Float32Array.of(2));
    const one = backend.makeOutput([], "float32", undefined, Float32Array.of(1));
    const temps: tf.TensorInfo[] = [two, one];
    try {
      const x2 = mul({ inputs: { a: x, b: two }, backend: args.backend });
      temps.push(x2);
      const s = sigmoid({ inputs: { x: x2 }, backend: args.backend });
      temps.push(s);
      const s2 = mul({ inputs: { a: s, b: two }, backend: args.backend });
      temps.push(s2);
      return sub({ inputs: { a: s2, b: one }, backend: args.backend });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  return { ...orig, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/**
 * Replace slow WASM kernels with fast equivalents: BatchMatMul and _FusedMatMul with transposed
 * operands (explicit transpose first), Sum and Mean over leading axes (a product with a ones
 * row), Tanh (through the fast sigmoid). Idempotent; `initBackend` calls it when it selects wasm. Checked against the built-in
 * kernels (values and gradients) in the tests.
 */
export function installWasmFixes(): void {
  if (wasmFixInstalled) return;
  const transposeKernel = tf.getKernel("Transpose", "wasm");
  const matMulKernel = tf.getKernel("BatchMatMul", "wasm");
  if (!transposeKernel || !matMulKernel) return;
  originals = [];
  const replace = (name: string, make: (orig: tf.KernelConfig) => tf.KernelConfig) => {
    const orig = tf.getKernel(name, "wasm");
    if (!orig) return;
    originals.push({ name, config: orig });
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(make(orig));
  };
  replace("BatchMatMul", (o) => wrapMatMul(o, transposeKernel, false));
  replace("_FusedMatMul", (o) => wrapMatMul(o, transposeKernel, true));
  replace("Sum", (o) => wrapReduce(o, matMulKernel, false));
  replace("Mean", (o) => wrapReduce(o, matMulKernel, true));
  const tanh = tf.getKernel("Tanh", "wasm");
  const fastTanh = tanh && wrapTanh(tanh);
  if (fastTanh) replace("Tanh", () => fastTanh);
  wasmFixInstalled = true;
}

/** Restore the original WASM kernels (for tests and benchmarks comparing the two). */
export function uninstallWasmFixes(): void {
  if (!wasmFixInstalled) return;
  for (const { name, config } of originals) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
  }
  originals = [];
  wasmFixInstalled = false;
}

/** True while the WASM kernel fixes are installed. */
export function wasmFixesInstalled(): boolean {
  return wasmFixInstalled;
}
