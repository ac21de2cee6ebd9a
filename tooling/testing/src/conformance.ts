import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CrossModalSet, LabelMatrix, Matrix } from "@cmh/datasets";
import { type BinaryCodes, type CodeHealth, codeHealth, unpackCodes } from "@cmh/hamming-index";
import type { FitProgress, FitReport, Hasher, HasherClass, Modality } from "@cmh/tensor-core";
import { activeKernelFixes, backendName, initBackend, tf } from "@cmh/tensor-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeOnBackends, type TestBackend, testBackends } from "./backends";
import { compareAcrossBackends } from "./cross-backend";
import { tinySet } from "./tiny-data";

/** Options for `describeHasherConformance`. */
export interface ConformanceOptions<C extends object> {
  /** Config for every fit: make it small and fast (few epochs, small layers). */
  readonly config: Partial<C>;
  /** The training set (default: `tinySet()`, 96 items of the synthetic generator). */
  readonly makeData?: () => CrossModalSet;
  /** Time allowed between abort and rejection (ms, default 3000). */
  readonly abortWithinMs?: number;
  /** Skip the seed-reproducibility check (only for methods documented as nondeterministic). */
  readonly skipReproducibility?: boolean;
  /** Backends to run the suite on (default: `testBackends()`, every one available; the first is the reference). */
  readonly backends?: readonly TestBackend[];
}

/** What every check sees: the method, options, the data and one fitted model. */
export interface ConformanceContext<C extends object> {
  readonly Method: HasherClass<C>;
  readonly options: ConformanceOptions<C>;
  readonly data: CrossModalSet;
  readonly model: Hasher<C>;
  readonly report: FitReport;
  readonly events: readonly FitProgress[];
  /** A scratch folder (removed afterwards). */
  readonly dir: string;
  /** tf.memory().numTensors before the shared model was fitted. */
  readonly tensorsBefore: number;
}

function withNaN(m: Matrix): Matrix {
  const data = Float32Array.from(m.data);
  data[Math.min(data.length - 1, m.cols + 1)] = Number.NaN;
  return { ...m, data };
}

function widen(m: Matrix): Matrix {
  const cols = m.cols + 1;
  const data = new Float32Array(m.rows * cols);
  for (let r = 0; r < m.rows; r++)
    data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), r * cols);
  return { rows: m.rows, cols, data };
}

function make<C extends object>(ctx: ConformanceContext<C>, extra: Partial<C> = {}): Hasher<C> {
  return new ctx.Method({ ...ctx.options.config, ...extra });
}

const MODALITIES = ["image", "text"] as const;

/**
 * Largest drop in mAP@all (image→text or text→image, on the training set itself) allowed when one
 * modality's features are multiplied by 1000 or 0.001. With a fitted input stage every mode maps
 * scaled features to the unscaled ones up to float32 rounding (relative ~1e-7), so the only
 * difference is that rounding carried through training (and, on native or GPU backends, their
 * nondeterministic reductions); 0.05 is far above what it moves (measured on WASM: 0 for five
 * methods, at most 0.0013 for UGACH) and far below the drop an unhandled scale causes (0.2-0.6 on
 * uci-mfeat with the image view × 0.01 before the stage existed).
 */
export const SCALE_MAP_TOLERANCE = 0.05;

/** The conformance config with the input stage on: its own `input`, else `quick`'s, else "standardize". */
export function stagedConfig<C extends object>(
  Method: HasherClass<C>,
  config: Partial<C>,
): Partial<C> {
  const own = (config as { input?: unknown }).input;
  const quick = (Method.presets.quick as { input?: unknown } | undefined)?.input;
  const on = (v: unknown): v is string => typeof v === "string" && v !== "none";
  const input = on(own) ? own : on(quick) ? quick : "standardize";
  return { ...config, input } as Partial<C>;
}

function scaleMatrix(m: Matrix, f: number): Matrix {
  return { ...m, data: m.data.map((v) => v * f) };
}

/**
 * mAP@all of `query` against `database` (relevant = at least one shared label; ranking by Hamming
 * distance, ties by database index). A plain O(n²·bits) version for the suite's small sets
 * (@cmh/metrics depends on this package for its tests, so it cannot be imported here).
 */
export function plainMeanAveragePrecision(
  query: BinaryCodes,
  database: BinaryCodes,
  labels: LabelMatrix,
): number {
  const q = unpackCodes(query);
  const d = unpackCodes(database);
  const bits = query.bits;
  const shares = (a: number, b: number) => {
    for (let k = 0; k < labels.cols; k++)
      if (labels.data[a * labels.cols + k] > 0 && labels.data[b * labels.cols + k] > 0) return true;
    return false;
  };
  let sum = 0;
  for (let i = 0; i < query.n; i++) {
    const dist = Array.from({ length: database.n }, (_, j) => {
      let h = 0;
      for (let k = 0; k < bits; k++) if (q[i * bits + k] !== d[j * bits + k]) h++;
      return h;
    });
    const order = dist.map((_, j) => j).sort((a, b) => dist[a] - dist[b] || a - b);
    let hits = 0;
    let ap = 0;
    order.forEach((j, rank) => {
      if (shares(i, j)) {
        hits++;
        ap += hits / (rank + 1);
      }
    });
    sum += hits > 0 ? ap / hits : 0;
  }
  return sum / query.n;
}

/** Health of both modalities' codes of `data`, and mAP@all I→T / T→I on `data` itself (when labelled). */
function scoreFit<C extends object>(model: Hasher<C>, data: CrossModalSet) {
  const codes = { image: model.encode("image", data.image), text: model.encode("text", data.text) };
  const health = { image: codeHealth(codes.image), text: codeHealth(codes.text) };
  const labels = data.labels;
  const map = (q: Modality, d: Modality) =>
    labels ? plainMeanAveragePrecision(codes[q], codes[d], labels) : Number.NaN;
  return { health, i2t: map("image", "text"), t2i: map("text", "image") };
}

/** Codes not collapsed by `COLLAPSE_RULE`, and more than one distinct code per modality. */
function expectHealthy(h: Readonly<Record<Modality, CodeHealth>>, what: string): void {
  for (const m of MODALITIES) {
    expect(h[m].collapsed, `${what}: ${m} codes collapsed (${h[m].reason})`).toBe(false);
    // Stricter than the rule on sets under 100 codes, where its distinct-share test is off.
    expect(h[m].distinct, `${what}: ${m} codes all identical`).toBeGreaterThan(1);
  }
}

type Score = ReturnType<typeof scoreFit>;

/** The small fit with the input stage on, per conformance run (one fit shared by two checks). */
const stagedFits = new WeakMap<object, Promise<Score>>();

/** Score of the `stagedConfig` fit on `ctx.data`: the shared model when its config has the stage on. */
function stagedBaseline<C extends object>(ctx: ConformanceContext<C>): Promise<Score> {
  let p = stagedFits.get(ctx.model);
  if (!p) {
    const config = stagedConfig(ctx.Method, ctx.options.config);
    const same =
      (config as { input?: unknown }).input === (ctx.model.config as { input?: unknown }).input;
    p = same
      ? Promise.resolve(scoreFit(ctx.model, ctx.data))
      : (async () => {
          const m = new ctx.Method(config);
          try {
            await m.fit(ctx.data);
            return scoreFit(m, ctx.data);
          } finally {
            m.dispose();
          }
        })();
    stagedFits.set(ctx.model, p);
  }
  return p;
}

/** Fit the shared model of a conformance run (what `describeHasherConformance` does in beforeAll). */
export async function prepareConformance<C extends object>(
  Method: HasherClass<C>,
  options: ConformanceOptions<C>,
): Promise<ConformanceContext<C>> {
  await initBackend({ log: false });
  const dir = await mkdtemp(
    join(tmpdir(), `cmh-conformance-${Method.methodName.replace(/[^\w-]/g, "_")}-`),
  );
  const data = (options.makeData ?? (() => tinySet()))();
  const tensorsBefore = tf.memory().numTensors;
  const model = new Method(options.config);
  const events: FitProgress[] = [];
  const report = await model.fit(data, { onProgress: (e) => events.push(e) });
  return { Method, options, data, model, report, events, dir, tensorsBefore };
}

/** Release what `prepareConformance` made. */
export async function cleanupConformance<C extends object>(
  ctx: ConformanceContext<C> | undefined,
): Promise<void> {
  if (!ctx) return;
  ctx.model.dispose();
  await rm(ctx.dir, { recursive: true, force: true });
}

/** The checks, by title; each throws (a failed expect) on a contract violation. */
export const conformanceChecks: Record<
  string,
  <C extends object>(ctx: ConformanceContext<C>) => Promise<void> | void
> = {
  "declares metadata and presets": (ctx) => {
    const { Method, model } = ctx;
    expect(Method.methodName.length).toBeGreaterThan(0);
    expect(Method.presets).toHaveProperty("paper");
    expect(Method.presets).toHaveProperty("quick");
    const m = model.meta;
    expect(m.name).toBe(Method.methodName);
    expect(m.paper.title.length).toBeGreaterThan(0);
    expect(m.inputs).toContain("image");
    expect(m.inputs).toContain("text");
    expect(m.inputs.includes("labels")).toBe(m.supervised);
    expect(m.bits).toBe((model.config as { bits?: number }).bits);
    for (const [preset, cfg] of Object.entries(Method.presets)) {
      expect(() => new Method(cfg).dispose(), `preset "${preset}"`).not.toThrow();
    }
  },

  "validates bits and rejects unknown config keys": (ctx) => {
    for (const bits of [0, 7, 12.5, 1025, Number.NaN]) {
      expect(() => make(ctx, { bits } as never), `bits ${bits}`).toThrow(/bits/);
    }
    expect(() => make(ctx, { noSuchOption: 1 } as never)).toThrow(/noSuchOption/);
    for (const bits of [16, 32, 64]) {
      const h = make(ctx, { bits } as never);
      expect(h.meta.bits).toBe(bits);
      h.dispose();
    }
  },

  "fits and returns a report": (ctx) => {
    const { model, report, data } = ctx;
    expect(model.fitted).toBe(true);
    expect(report.method).toBe(ctx.Method.methodName);
    expect(report.bits).toBe(model.meta.bits);
    expect(["tensorflow", "wasm", "cpu"]).toContain(report.backend);
    expect(report.backend).toBe(backendName());
    expect(report.kernelFixes).toEqual(activeKernelFixes());
    expect(report.trainSize).toBe(data.image.rows);
    expect(report.seconds).toBeGreaterThanOrEqual(0);
    expect(report.history.length).toBe(report.epochs);
    for (const h of report.history) expect(Number.isFinite(h.total)).toBe(true);
  },

  "reports progress": (ctx) => {
    expect(ctx.events.length).toBeGreaterThan(0);
    for (const e of ctx.events) {
      expect(e.method).toBe(ctx.Method.methodName);
      expect(e.epoch).toBeGreaterThanOrEqual(1);
      expect(e.epoch).toBeLessThanOrEqual(e.epochs);
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(e.elapsedSeconds).toBeGreaterThanOrEqual(0);
    }
  },

  "encodes both modalities to codes of shape (n, bits), deterministically": (ctx) => {
    const { model, data } = ctx;
    for (const modality of MODALITIES) {
      const x = data[modality];
      const c = model.encode(modality, x);
      const w = Math.ceil(c.bits / 32);
      expect(c.n).toBe(x.rows);
      expect(c.bits).toBe(model.meta.bits);
      expect(c.words.length).toBe(x.rows * w);
      expect(model.encode(modality, x).words).toEqual(c.words);
      const head: Matrix = { rows: 3, cols: x.cols, data: x.data.subarray(0, 3 * x.cols) };
      expect(model.encode(modality, head).words, "a row's code depends on other rows").toEqual(
        c.words.subarray(0, 3 * w),
      );
      const first = c.words.subarray(0, w).join();
      let distinct = false;
      for (let j = 1; j < c.n && !distinct; j++)
        distinct = c.words.subarray(j * w, (j + 1) * w).join() !== first;
      expect(distinct, `all ${modality} codes are identical`).toBe(true);
    }
  },

  "round-trips through save and load with identical codes": async (ctx) => {
    const { model, data, Method } = ctx;
    const d = join(ctx.dir, "model");
    await model.save(d);
    const loaded = await Method.load(d);
    try {
      expect(loaded.fitted).toBe(true);
      expect(loaded.config).toEqual(model.config);
      for (const modality of MODALITIES) {
        expect(loaded.encode(modality, data[modality]).words).toEqual(
          model.encode(modality, data[modality]).words,
        );
      }
    } finally {
      loaded.dispose();
    }
  },

  "rejects encode input of the wrong width or with NaN": (ctx) => {
    for (const modality of MODALITIES) {
      expect(() => ctx.model.encode(modality, widen(ctx.data[modality]))).toThrow(/column/);
      expect(() => ctx.model.encode(modality, withNaN(ctx.data[modality]))).toThrow(
        /NaN|non-finite/,
      );
    }
  },

  "refuses to encode before fit": (ctx) => {
    const fresh = make(ctx);
    expect(fresh.fitted).toBe(false);
    expect(() => fresh.encode("image", ctx.data.image)).toThrow(/not fitted/);
    fresh.dispose();
  },

  "rejects mismatched and empty training sets": async (ctx) => {
    const { data } = ctx;
    const fresh = make(ctx);
    try {
      const r = data.text.rows - 1;
      const short: Matrix = {
        rows: r,
        cols: data.text.cols,
        data: data.text.data.subarray(0, r * data.text.cols),
      };
      await expect(fresh.fit({ ...data, text: short })).rejects.toThrow(/rows/);
      const empty = (m: Matrix): Matrix => ({ rows: 0, cols: m.cols, data: new Float32Array(0) });
      await expect(
        fresh.fit({ name: "empty", image: empty(data.image), text: empty(data.text) }),
      ).rejects.toThrow(/empty/);
    } finally {
      fresh.dispose();
    }
  },

  "handles labels per its supervision, and is reproducible from its seed": async (ctx) => {
    const { data, model, options } = ctx;
    const other = make(ctx);
    const noLabels: CrossModalSet = { name: data.name, image: data.image, text: data.text };
    try {
      if (other.meta.supervised) {
        await expect(other.fit(noLabels)).rejects.toThrow(/label/);
        await other.fit(data);
      } else {
        // Unsupervised: fitting without labels must give exactly the codes fitted with labels.
        await other.fit(noLabels);
      }
      if (options.skipReproducibility) return;
      for (const modality of MODALITIES) {
        expect(other.encode(modality, data[modality]).words).toEqual(
          model.encode(modality, data[modality]).words,
        );
      }
    } finally {
      other.dispose();
    }
  },

  "stops a fit promptly when its signal aborts, and stays unfitted": async (ctx) => {
    const m = make(ctx);
    const ac = new AbortController();
    let abortedAt = 0;
    const abort = () => {
      if (!abortedAt) {
        abortedAt = performance.now();
        ac.abort();
      }
    };
    const timer = setTimeout(abort, 20);
    try {
      await expect(m.fit(ctx.data, { signal: ac.signal, onProgress: abort })).rejects.toMatchObject(
        { name: "AbortError" },
      );
      expect(performance.now() - abortedAt).toBeLessThan(ctx.options.abortWithinMs ?? 3000);
      expect(m.fitted).toBe(false);
    } finally {
      clearTimeout(timer);
      m.dispose();
    }
    const pre = make(ctx);
    await expect(pre.fit(ctx.data, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    pre.dispose();
  },

  "reports codeHealth in the fit report; a small fit with its input stage on has healthy codes":
    async (ctx) => {
      const { model, data, report } = ctx;
      expect(report.codeHealth, "the fit report carries codeHealth").toBeDefined();
      for (const m of MODALITIES) {
        expect(report.codeHealth?.[m]).toEqual(codeHealth(model.encode(m, data[m])));
      }
      expectHealthy((await stagedBaseline(ctx)).health, "small fit");
    },

  "with its input stage on, one modality scaled by 1000 or 0.001 keeps codes healthy and mAP":
    async (ctx) => {
      const config = stagedConfig(ctx.Method, ctx.options.config);
      const base = await stagedBaseline(ctx);
      expectHealthy(base.health, "unscaled fit");
      for (const m of MODALITIES) {
        for (const f of [1000, 0.001]) {
          const data = { ...ctx.data, [m]: scaleMatrix(ctx.data[m], f) };
          const h = new ctx.Method(config);
          try {
            const report = await h.fit(data);
            for (const v of report.history) expect(Number.isFinite(v.total)).toBe(true);
            const s = scoreFit(h, data);
            const what = `${m} x ${f} (input ${JSON.stringify((config as { input?: string }).input)})`;
            expectHealthy(s.health, what);
            if (process.env.CMH_CONFORMANCE_VERBOSE)
              console.log(
                `${ctx.Method.methodName} ${what}: mAP i2t ${s.i2t.toFixed(4)} (unscaled ${base.i2t.toFixed(4)}), t2i ${s.t2i.toFixed(4)} (unscaled ${base.t2i.toFixed(4)})`,
              );
            if (ctx.data.labels) {
              expect(s.i2t, `${what}: mAP i2t`).toBeGreaterThanOrEqual(
                base.i2t - SCALE_MAP_TOLERANCE,
              );
              expect(s.t2i, `${what}: mAP t2i`).toBeGreaterThanOrEqual(
                base.t2i - SCALE_MAP_TOLERANCE,
              );
            }
          } finally {
            h.dispose();
          }
        }
      }
    },

  "with its input stage on, a constant column and an all-zero row break neither fit nor encode":
    async (ctx) => {
      const { data } = ctx;
      const odd = (m: Matrix, constant: number): Matrix => {
        const d = Float32Array.from(m.data);
        for (let r = 0; r < m.rows; r++) d[r * m.cols] = constant;
        d.fill(0, m.cols, 2 * m.cols);
        return { ...m, data: d };
      };
      const set: CrossModalSet = { ...data, image: odd(data.image, 2.5), text: odd(data.text, 0) };
      const h = new ctx.Method(stagedConfig(ctx.Method, ctx.options.config));
      try {
        const report = await h.fit(set);
        for (const v of report.history) expect(Number.isFinite(v.total)).toBe(true);
        expectHealthy(scoreFit(h, set).health, "constant column + all-zero row");
        for (const m of MODALITIES) {
          const zeros: Matrix = {
            rows: 2,
            cols: set[m].cols,
            data: new Float32Array(2 * set[m].cols),
          };
          expect(h.encode(m, zeros).n).toBe(2);
          // a value the constant column never had in training
          const probe = Float32Array.from(set[m].data.subarray(0, 2 * set[m].cols));
          probe[0] = 1e3;
          expect(h.encode(m, { rows: 2, cols: set[m].cols, data: probe }).n).toBe(2);
        }
      } finally {
        h.dispose();
      }
    },

  "leaks no tensors across fit, encode and dispose": async (ctx) => {
    const before = tf.memory().numTensors;
    const m = make(ctx);
    await m.fit(ctx.data);
    m.encode("image", ctx.data.image);
    m.encode("text", ctx.data.text);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => m.encode("image", ctx.data.image)).toThrow();
  },
};

/**
 * The Hasher conformance suite. In a method package's test file:
 *
 * ```ts
 * describeHasherConformance(MyMethod, { config: { ...MyMethod.presets.quick, epochs: 2 } });
 * ```
 *
 * Checks (see `conformanceChecks`): metadata and presets, bits validation and unknown keys, fit
 * report and progress, code shape and determinism, save/load round-trip, encode input checks,
 * fit input checks, labels (ignored by unsupervised methods, required by supervised ones) and seed
 * reproducibility, prompt cancellation, healthy codes (`codeHealth` in the fit report), robustness
 * with the input stage on (one modality scaled by 1000 or 0.001: healthy codes, mAP within
 * `SCALE_MAP_TOLERANCE`; a constant column and an all-zero row), no tensor leaks. The suite runs
 * once per backend of `testBackends()` (test titles end in `[wasm]`, `[cpu]`, ...); on every
 * backend after the first, a fit is also compared with one on the first (see
 * `CROSS_BACKEND_TOLERANCE`).
 */
export function describeHasherConformance<C extends object>(
  Method: HasherClass<C>,
  options: ConformanceOptions<C>,
): void {
  const title = `${Method.methodName} conforms to the Hasher contract`;
  describeOnBackends(
    title,
    (backend, reference) => {
      let ctx: ConformanceContext<C> | undefined;
      beforeAll(async () => {
        ctx = await prepareConformance(Method, options);
      });
      afterAll(async () => {
        await cleanupConformance(ctx);
      });
      for (const [title, check] of Object.entries(conformanceChecks)) {
        it(title, async () => {
          if (!ctx) throw new Error("conformance setup failed (see the beforeAll error)");
          await check(ctx);
        });
      }
      if (backend !== reference) {
        it(`agrees with a fit on ${reference} within the stated cross-backend tolerances`, async () => {
          if (!ctx) throw new Error("conformance setup failed (see the beforeAll error)");
          await compareAcrossBackends(ctx, reference);
        });
      }
    },
    options.backends ?? testBackends(),
  );
}
