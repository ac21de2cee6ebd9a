import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CrossModalSet, Matrix } from "@cmh/datasets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import { batchIndices, matrixTensor, rowsTensor } from "../network/batches";
import { Dense } from "../network/layers";
import { Adam } from "../network/optim";
import type { Rng } from "../network/rng";
import { createRng } from "../network/rng";
import { BaseHasher, type FitContext, type InputDims } from "./base-hasher";
import { type ConfigOf, configSchema, defineConfig, z } from "./config-schema";
import { ConfigError } from "./errors";
import type { FitProgress, HasherClass, Modality } from "./hasher";
import type { InputSpec } from "./input-stage";
import { ModelFormatError, type WeightValue } from "./serialize";

interface TinyConfig {
  bits: number;
  seed: number;
  epochs: number;
  lr: number;
  input?: InputSpec;
}

const paper = { title: "Tiny", authors: "Nobody", venue: "Tests", year: 2026 };

/** A linear projection per modality, trained so paired codes agree; supervised variant reads labels. */
class Tiny extends BaseHasher<TinyConfig> {
  static readonly methodName: string = "Tiny";
  static readonly paper = paper;
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: TinyConfig = { bits: 16, seed: 1, epochs: 3, lr: 0.01 };
  static readonly presets = { paper: {}, quick: { epochs: 1 } };
  static validateConfig(c: TinyConfig) {
    if (c.epochs < 1) throw new Error(`Tiny: epochs must be >= 1, got ${c.epochs}`);
  }
  img?: Dense;
  txt?: Dense;
  labelsSeen = false;
  /** The training set `train` received (after the input stage). */
  trainSeen?: CrossModalSet;

  protected build(dims: InputDims, rng: Rng) {
    this.img = new Dense(dims.image, this.config.bits, rng, { biasInit: false });
    this.txt = new Dense(dims.text, this.config.bits, rng, { biasInit: false });
  }
  protected weights(): Record<string, WeightValue> {
    return { "img.weight": this.img!.weight, "txt.weight": this.txt!.weight };
  }
  protected async train(train: CrossModalSet, ctx: FitContext) {
    this.labelsSeen = train.labels !== undefined;
    this.trainSeen = train;
    const opt = ctx.optimizer("adam", new Adam({ lr: this.config.lr }));
    const vars = [this.img!.weight, this.txt!.weight];
    await ctx.phase("train", this.config.epochs, async (e) => {
      for (const idx of batchIndices(train.image.rows, { batchSize: 16, rng: ctx.rng })) {
        const x = rowsTensor(train.image, idx);
        const y = rowsTensor(train.text, idx);
        await e.step(
          () => {
            const a = tf.tanh(this.img!.apply(x));
            const b = tf.tanh(this.txt!.apply(y));
            const pair = tf.mean(tf.square(tf.sub(a, b))) as tf.Scalar;
            const quant = tf.mean(tf.square(tf.sub(tf.abs(a), 1))) as tf.Scalar;
            return { total: tf.add(pair, quant) as tf.Scalar, terms: { pair, quant } };
          },
          { optimizer: opt, variables: vars },
        );
        tf.dispose([x, y]);
      }
    });
  }
  protected project(modality: Modality, x: Matrix) {
    return (modality === "image" ? this.img! : this.txt!).apply(matrixTensor(x));
  }
}

class TinySupervised extends Tiny {
  static override readonly methodName = "TinySup";
  static override readonly supervised = true;
}

/** A pure-JS method: weights are Float32Arrays. */
class PureJs extends BaseHasher<{ bits: number; seed: number; input?: InputSpec }> {
  static readonly methodName: string = "PureJs";
  static readonly paper = paper;
  static readonly supervised = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults = { bits: 8, seed: 0 };
  static readonly presets = { paper: {}, quick: {} };
  w = { image: new Float32Array(0), text: new Float32Array(0) };
  protected build(dims: InputDims) {
    this.w = { image: new Float32Array(dims.image * 8), text: new Float32Array(dims.text * 8) };
  }
  protected weights() {
    return { image: { shape: [this.dims!.image, 8], data: this.w.image }, text: this.w.text };
  }
  protected async train(_t: CrossModalSet, ctx: FitContext) {
    ctx.rng.fillNormal(this.w.image);
    ctx.rng.fillNormal(this.w.text);
  }
  protected project(modality: Modality, x: Matrix) {
    const w = this.w[modality];
    const out = new Float32Array(x.rows * 8);
    for (let r = 0; r < x.rows; r++)
      for (let c = 0; c < x.cols; c++)
        for (let b = 0; b < 8; b++) out[r * 8 + b] += x.data[r * x.cols + c] * w[c * 8 + b];
    return out;
  }
}

function data(n = 48, seed = 3): CrossModalSet {
  const rng = createRng(seed);
  const z = rng.fillNormal(new Float32Array(n * 4));
  const mk = (d: number): Matrix => {
    const p = rng.fillNormal(new Float32Array(4 * d));
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++)
        for (let k = 0; k < 4; k++) out[i * d + j] += z[i * 4 + k] * p[k * d + j];
    return { rows: n, cols: d, data: out };
  };
  const labels = {
    rows: n,
    cols: 3,
    data: Uint8Array.from({ length: n * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
  };
  return { name: "tiny", image: mk(10), text: mk(7), labels };
}

let dir: string;
beforeAll(async () => {
  await initBackend({ log: false });
  dir = await mkdtemp(join(tmpdir(), "cmh-base-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("BaseHasher config", () => {
  it("merges defaults, is a HasherClass, and exposes metadata", () => {
    const cls: HasherClass<TinyConfig> = Tiny;
    const h = new cls({ bits: 32 });
    expect(h.config).toEqual({ bits: 32, seed: 1, epochs: 3, lr: 0.01 });
    expect(h.meta).toMatchObject({
      name: "Tiny",
      bits: 32,
      supervised: false,
      inputs: ["image", "text"],
    });
    expect(h.fitted).toBe(false);
    expect(Object.isFrozen(h.config)).toBe(true);
  });
  it("rejects bad bits, unknown keys, wrong types and failed method checks", () => {
    expect(() => new Tiny({ bits: 7 })).toThrow(/bits must be an integer from 8 to 1024, got 7/);
    expect(() => new Tiny({ bits: 12.5 })).toThrow(/bits/);
    expect(() => new Tiny({ bits: 2048 })).toThrow(/bits/);
    expect(() => new Tiny({ epoch: 3 } as never)).toThrow(
      /unknown config key "epoch" \(known keys: bits, seed, epochs, lr, input\)/,
    );
    expect(() => new Tiny({ lr: "0.1" } as never)).toThrow(/config.lr must be number/);
    expect(() => new Tiny({ lr: Number.NaN })).toThrow(/finite/);
    expect(() => new Tiny({ seed: -1 })).toThrow(/seed/);
    expect(() => new Tiny({ epochs: 0 })).toThrow(/epochs must be >= 1/);
  });
});

const SCHEMA_CONFIG = defineConfig(
  "Schemed",
  configSchema({
    scale: z.number().gt(0).default(1).describe("Scale of the random projection."),
    mode: z.enum(["a", "b"]).default("a").describe("A mode."),
  }),
  { paper: {}, quick: { scale: 2 } },
);
type SchemedConfig = ConfigOf<typeof SCHEMA_CONFIG.schema>;

/** A method that declares its config with a schema (and a minimum number of training rows). */
class Schemed extends BaseHasher<SchemedConfig> {
  static readonly methodName: string = "Schemed";
  static readonly paper = paper;
  static readonly supervised = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly schema = SCHEMA_CONFIG.schema;
  static readonly defaults = SCHEMA_CONFIG.defaults;
  static readonly presets = SCHEMA_CONFIG.presets;
  static readonly minTrainingRows = 4;
  static readonly minTrainingRowsReason = "batch statistics";
  w: Float32Array | undefined;
  protected build(dims: InputDims) {
    this.w = new Float32Array((dims.image + dims.text) * 8);
  }
  protected weights() {
    return { w: this.requireModel(this.w, "projection") };
  }
  protected async train(_t: CrossModalSet, ctx: FitContext) {
    ctx.rng.fillNormal(this.requireModel(this.w));
  }
  protected project(_m: Modality, x: Matrix) {
    return new Float32Array(x.rows * this.config.bits);
  }
  projection() {
    return this.requireModel(this.w, "projection");
  }
}

describe("BaseHasher with a config schema", () => {
  it("resolves the config through the schema, with one ConfigError", () => {
    expect(new Schemed({ scale: 3 }).config).toEqual({
      bits: 32,
      seed: 0,
      input: "none",
      scale: 3,
      mode: "a",
    });
    expect(() => new Schemed({ scale: -1 })).toThrow(ConfigError);
    expect(() => new Schemed({ scale: -1 })).toThrow(
      "Schemed: config.scale must be a number > 0, got -1",
    );
    expect(() => new Schemed({ mode: "c" } as never)).toThrow(
      'Schemed: config.mode must be one of "a", "b", got "c"',
    );
    expect(() => new Schemed({ nope: 1 } as never)).toThrow('unknown config key "nope"');
  });

  it("guards the model before fit and the minimum number of training rows", async () => {
    const h = new Schemed();
    expect(() => h.projection()).toThrow(
      "Schemed: projection not built: call fit(train) or Schemed.load(dir) first",
    );
    const d = data(3);
    await expect(h.fit(d)).rejects.toThrow(
      "Schemed.fit needs at least 4 training pairs (batch statistics), got 3",
    );
    await h.fit(data(8));
    expect(h.projection().length).toBe((10 + 7) * 8);
    h.dispose();
  });
});

describe("BaseHasher fit / encode / save / load", () => {
  it("fits, reports, encodes deterministically, and round-trips through save/load", async () => {
    const set = data();
    const h = new Tiny();
    const events: FitProgress[] = [];
    const report = await h.fit(set, { onProgress: (e) => events.push(e) });
    expect(report).toMatchObject({ method: "Tiny", bits: 16, epochs: 3, trainSize: 48 });
    expect(report.backend).toMatch(/wasm|cpu|tensorflow/);
    expect(report.history[2]).toHaveProperty("pair");
    expect(events.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(h.labelsSeen).toBe(false);
    const c1 = h.encode("image", set.image);
    expect(c1).toMatchObject({ n: 48, bits: 16 });
    expect(h.encode("image", set.image).words).toEqual(c1.words);
    const modelDir = join(dir, "tiny");
    await h.save(modelDir);
    const loaded = await Tiny.load(modelDir);
    expect(loaded.fitted).toBe(true);
    expect(loaded.config).toEqual(h.config);
    expect(loaded.encode("image", set.image).words).toEqual(c1.words);
    expect(loaded.encode("text", set.text).words).toEqual(h.encode("text", set.text).words);
    const manifest = JSON.parse(await readFile(join(modelDir, "model.json"), "utf8"));
    expect(manifest).toMatchObject({
      format: "cmh-hasher",
      formatVersion: 2,
      method: "Tiny",
      dims: { image: 10, text: 7 },
    });
    h.dispose();
    loaded.dispose();
    expect(() => h.encode("image", set.image)).toThrow(/disposed/);
  });

  it("is reproducible from the seed", async () => {
    const set = data();
    const a = new Tiny({ epochs: 1 });
    const b = new Tiny({ epochs: 1 });
    await a.fit(set);
    await b.fit(set);
    expect(a.encode("text", set.text).words).toEqual(b.encode("text", set.text).words);
    a.dispose();
    b.dispose();
  });

  it("rejects bad input at fit and encode with clear errors", async () => {
    const set = data();
    const h = new Tiny({ epochs: 1 });
    expect(() => h.encode("image", set.image)).toThrow(/not fitted/);
    await expect(
      h.fit({ ...set, text: { ...set.text, rows: 47, data: set.text.data.subarray(0, 47 * 7) } }),
    ).rejects.toThrow(/image has 48 rows but text has 47/);
    const nan = Float32Array.from(set.image.data);
    nan[25] = Number.NaN;
    await expect(h.fit({ ...set, image: { ...set.image, data: nan } })).rejects.toThrow(
      /^Tiny: train\.image: non-finite value NaN at row 2, col 5 \(of 48×10\); clean or impute/,
    );
    await expect(
      h.fit({
        name: "e",
        image: { rows: 0, cols: 3, data: new Float32Array(0) },
        text: { rows: 0, cols: 2, data: new Float32Array(0) },
      }),
    ).rejects.toThrow(/empty/);
    await h.fit(set);
    expect(() => h.encode("text", set.image)).toThrow(
      /input has 10 columns, the model was fitted on 7/,
    );
    expect(() => h.encode("audio" as Modality, set.image)).toThrow(/modality must be/);
    expect(() => h.encode("image", { ...set.image, data: nan })).toThrow(/non-finite/);
    h.dispose();
  });

  it("supervised methods refuse to fit without labels and see them when given", async () => {
    const set = data();
    const h = new TinySupervised({ epochs: 1 });
    await expect(h.fit({ name: "x", image: set.image, text: set.text })).rejects.toThrow(
      /supervised: fit needs train.labels/,
    );
    await h.fit(set);
    expect(h.labelsSeen).toBe(true);
    h.dispose();
  });

  it("load fails clearly on another method's model, a future version, or a corrupt file", async () => {
    const set = data();
    const h = new Tiny({ epochs: 1 });
    await h.fit(set);
    const d = join(dir, "other");
    await h.save(d);
    h.dispose();
    await expect(TinySupervised.load(d)).rejects.toThrow(
      /saved by method "Tiny", not "TinySup": load it with Tiny.load\(\)/,
    );
    const json = JSON.parse(await readFile(join(d, "model.json"), "utf8"));
    await writeFile(join(d, "model.json"), JSON.stringify({ ...json, formatVersion: 9 }));
    await expect(Tiny.load(d)).rejects.toThrow(/format version 9.*upgrade/);
    await writeFile(join(d, "model.json"), JSON.stringify(json));
    const bin = await readFile(join(d, "weights.bin"));
    bin[3] ^= 0xff;
    await writeFile(join(d, "weights.bin"), bin);
    await expect(Tiny.load(d)).rejects.toBeInstanceOf(ModelFormatError);
    await writeFile(join(d, "weights.bin"), bin.subarray(0, 10));
    await expect(Tiny.load(d)).rejects.toThrow(/has 10 bytes/);
    await expect(Tiny.load(join(dir, "nothing-here"))).rejects.toThrow(/cannot read/);
  });

  it("aborts promptly, stays unfitted, and leaks no tensors", async () => {
    const set = data(400);
    const before = tf.memory().numTensors;
    const h = new Tiny({ epochs: 1000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    await expect(h.fit(set, { signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(h.fitted).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    h.dispose();
    const g = new Tiny({ epochs: 2 });
    await g.fit(data(), { signal: new AbortController().signal });
    g.encode("image", data().image);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("checkpoints each epoch and resumes from the checkpoint", async () => {
    const set = data();
    const ck = join(dir, "ck");
    const full = new Tiny({ epochs: 4 });
    await full.fit(set);
    // interrupted after 2 epochs
    const ac = new AbortController();
    const part = new Tiny({ epochs: 4 });
    await expect(
      part.fit(set, {
        checkpointDir: ck,
        signal: ac.signal,
        onProgress: (e) => e.epoch === 2 && ac.abort(),
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    const progress = JSON.parse(await readFile(join(ck, "progress.json"), "utf8"));
    expect(progress.phases[0][1]).toHaveLength(2);
    const resumed = new Tiny({ epochs: 4 });
    const epochs: number[] = [];
    const report = await resumed.fit(set, {
      checkpointDir: ck,
      onProgress: (e) => epochs.push(e.epoch),
    });
    expect(epochs).toEqual([3, 4]);
    expect(report.history).toHaveLength(4);
    expect(report.history[3].total).toBeLessThan(report.history[0].total);
    // a checkpoint of another config is refused
    await expect(new Tiny({ epochs: 5 }).fit(set, { checkpointDir: ck })).rejects.toThrow(
      /different config/,
    );
    full.dispose();
    part.dispose();
    resumed.dispose();
  });

  it("supports pure-JS methods whose weights are Float32Arrays", async () => {
    const set = data();
    const h = new PureJs();
    await h.fit(set);
    const c = h.encode("image", set.image);
    const d = join(dir, "purejs");
    await h.save(d);
    const l = await PureJs.load(d);
    expect(l.encode("image", set.image).words).toEqual(c.words);
    expect(l.w.image).toEqual(h.w.image);
  });
});

/** PureJs with a standardising input stage by default, exposing `prepareInput`. */
class PureJsStaged extends PureJs {
  static override readonly methodName: string = "PureJsStaged";
  static override readonly defaults = { bits: 8, seed: 0, input: "standardize" as InputSpec };
  prepared(modality: Modality, x: Matrix): Matrix {
    return this.prepareInput(modality, x);
  }
}

function scaledSet(set: CrossModalSet, image: number, text = 1): CrossModalSet {
  const f = (m: Matrix, k: number): Matrix => ({ ...m, data: m.data.map((v) => v * k) });
  return { ...set, image: f(set.image, image), text: f(set.text, text) };
}

function columnMeans(m: Matrix): number[] {
  const out = new Array(m.cols).fill(0);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out[j] += m.data[i * m.cols + j] / m.rows;
  return out;
}

describe("BaseHasher input stage", () => {
  it("validates config.input like every key, naming the value and the allowed modes", () => {
    expect(new Tiny({ input: "standardize/l2" }).config.input).toBe("standardize/l2");
    expect(new Tiny().config).not.toHaveProperty("input");
    expect(new PureJsStaged().config.input).toBe("standardize");
    expect(() => new Tiny({ input: "zscore" as never })).toThrow(
      /Tiny: config.input must be one of "none", "standardize", "center-scale", "scale", "l2".*got "zscore"/,
    );
    expect(() => new PureJsStaged({ input: 1 as never })).toThrow(/config.input must be string/);
  });

  it("fits on the training rows before train, records it, and applies it in encode", async () => {
    const set = data();
    const h = new Tiny({ epochs: 1, input: "standardize/scale" });
    const report = await h.fit(set);
    for (const v of columnMeans(h.trainSeen!.image)) expect(Math.abs(v)).toBeLessThan(1e-5);
    expect(h.trainSeen!.text.data[0]).not.toBe(set.text.data[0]);
    expect(report.input).toEqual({
      image: { mode: "standardize", constantColumns: 0 },
      text: { mode: "scale", constantColumns: 0 },
    });
    expect(h.inputStage).toEqual(report.input);
    h.dispose();
    const none = new Tiny({ epochs: 1 });
    expect((await none.fit(set)).input?.image.mode).toBe("none");
    expect(none.trainSeen!.image).toBe(set.image);
    none.dispose();
  });

  it("makes codes independent of the features' scale, and round-trips through save/load", async () => {
    const set = data();
    const a = new PureJsStaged();
    const b = new PureJsStaged();
    await a.fit(set);
    await b.fit(scaledSet(set, 1000, 0.001));
    const big = scaledSet(set, 1000, 0.001);
    expect(b.encode("image", big.image).words).toEqual(a.encode("image", set.image).words);
    expect(b.encode("text", big.text).words).toEqual(a.encode("text", set.text).words);
    expect(a.prepared("image", set.image).data[0]).toBeCloseTo(
      b.prepared("image", big.image).data[0],
      4,
    );
    const d = join(dir, "staged");
    await b.save(d);
    const manifest = JSON.parse(await readFile(join(d, "model.json"), "utf8"));
    expect(manifest.weights.map((w: { name: string }) => w.name)).toContain("input.image.shift");
    const l = await PureJsStaged.load(d);
    expect(l.inputStage).toEqual(b.inputStage);
    expect(l.encode("image", big.image).words).toEqual(b.encode("image", big.image).words);
    expect(l.encode("text", big.text).words).toEqual(b.encode("text", big.text).words);
    for (const h of [a, b, l]) h.dispose();
  });

  it("survives constant columns and all-zero rows in every mode (no NaN, codes vary)", async () => {
    const set = data();
    const image = Float32Array.from(set.image.data);
    const text = Float32Array.from(set.text.data);
    for (let i = 0; i < set.image.rows; i++) image[i * set.image.cols + 2] = 7;
    text.fill(0, 0, set.text.cols);
    const odd = { ...set, image: { ...set.image, data: image }, text: { ...set.text, data: text } };
    for (const input of ["standardize", "center-scale", "scale", "l2"] as const) {
      const h = new Tiny({ epochs: 1, input });
      const report = await h.fit(odd);
      for (const v of h.trainSeen!.image.data) expect(Number.isFinite(v)).toBe(true);
      for (const v of h.trainSeen!.text.data) expect(Number.isFinite(v)).toBe(true);
      if (input === "standardize") expect(report.input?.image.constantColumns).toBe(1);
      expect(h.encode("text", odd.text).n).toBe(set.text.rows);
      expect(report.codeHealth?.image.distinct).toBeGreaterThan(1);
      h.dispose();
    }
  });

  it("puts the code health of both modalities' training codes in the fit report", async () => {
    const set = data();
    const h = new PureJsStaged();
    const report = await h.fit(set);
    for (const m of ["image", "text"] as const) {
      const ch = report.codeHealth![m];
      expect(ch).toMatchObject({ n: 48, bits: 8 });
      expect(ch.distinctShare).toBeGreaterThan(0);
      expect(typeof ch.collapsed).toBe("boolean");
    }
    h.dispose();
    // a projection that ignores its input gives one code: reported as collapsed
    class Constant extends PureJsStaged {
      static override readonly methodName = "Constant";
      protected override project(_m: Modality, x: Matrix) {
        return new Float32Array(x.rows * 8).fill(1);
      }
    }
    const c = new Constant();
    const r = await c.fit(data(150));
    expect(r.codeHealth?.image).toMatchObject({ distinct: 1, constantBits: 8, collapsed: true });
    c.dispose();
  });

  it("gives repeated fits on the same rows the same transformed arrays, unless edited", async () => {
    const set = data();
    const a = new Tiny({ epochs: 1, input: "standardize" });
    await a.fit(set);
    const first = a.trainSeen!.image;
    await a.fit(set);
    expect(a.trainSeen!.image).toBe(first);
    set.image.data[0] += 1;
    await a.fit(set);
    expect(a.trainSeen!.image).not.toBe(first);
    expect(a.trainSeen!.image.data[0]).not.toBe(first.data[0]);
    a.dispose();
  });

  it("checkpoints keep the stage, and a resumed fit encodes with it", async () => {
    const set = scaledSet(data(), 1000);
    const ck = join(dir, "ck-staged");
    const ac = new AbortController();
    const part = new Tiny({ epochs: 3, input: "standardize" });
    await expect(
      part.fit(set, {
        checkpointDir: ck,
        signal: ac.signal,
        onProgress: (e) => e.epoch === 1 && ac.abort(),
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    const manifest = JSON.parse(await readFile(join(ck, "model", "model.json"), "utf8"));
    expect(manifest.weights.map((w: { name: string }) => w.name)).toContain("input.image.scale");
    const resumed = new Tiny({ epochs: 3, input: "standardize" });
    const report = await resumed.fit(set, { checkpointDir: ck });
    expect(report.history).toHaveLength(3);
    for (const v of columnMeans(resumed.trainSeen!.image)) expect(Math.abs(v)).toBeLessThan(1e-5);
    const d = join(dir, "resumed");
    await resumed.save(d);
    const l = await Tiny.load(d);
    expect(l.encode("image", set.image).words).toEqual(resumed.encode("image", set.image).words);
    for (const h of [part, resumed, l]) h.dispose();
  });
});

describe("BaseHasher reliability", () => {
  it("refuses a second concurrent fit on one instance, and its codes equal a single fit's", async () => {
    const set = data();
    const single = new Tiny({ epochs: 2 });
    await single.fit(set);
    const h = new Tiny({ epochs: 2 });
    const first = h.fit(set);
    await expect(h.fit(set)).rejects.toThrow(/Tiny.fit is already running on this instance/);
    await first;
    expect(h.encode("image", set.image).words).toEqual(single.encode("image", set.image).words);
    // once the first fit is done, fitting again is allowed
    await h.fit(set);
    expect(h.encode("text", set.text).words).toEqual(single.encode("text", set.text).words);
    single.dispose();
    h.dispose();
  });

  it("says to use matrix(rows, cols, data) when given number[][]", async () => {
    const set = data();
    const rows = Array.from({ length: 48 }, (_, i) =>
      Array.from(set.image.data.subarray(i * 10, i * 10 + 10)),
    );
    const h = new Tiny({ epochs: 1 });
    await expect(h.fit({ ...set, image: rows as never })).rejects.toThrow(
      /train.image is an array of rows \(number\[\]\[\]\?\), not a Matrix: build one with matrix\(rows, cols, data\)/,
    );
    await expect(
      h.fit({ ...set, text: { rows: 48, cols: 7, data: Array.from(set.text.data) } as never }),
    ).rejects.toThrow(
      /train.text is a Matrix whose data is a plain array.*matrix\(rows, cols, data\)/,
    );
    h.dispose();
  });

  it("checks shape, data type and length with matrixProblem, and requires a column", async () => {
    const set = data();
    const h = new Tiny({ epochs: 1 });
    await expect(h.fit({ ...set, image: { ...set.image, rows: 2.5 } })).rejects.toThrow(
      /^Tiny: train\.image: rows and cols must be non-negative integers, got rows=2\.5, cols=10$/,
    );
    await expect(
      h.fit({ ...set, text: { ...set.text, data: Float64Array.from(set.text.data) } as never }),
    ).rejects.toThrow(/^Tiny: train\.text: data must be a Float32Array$/);
    await expect(
      h.fit({ ...set, text: { ...set.text, data: set.text.data.subarray(1) } }),
    ).rejects.toThrow(
      /^Tiny: train\.text: data has 335 values, expected rows\*cols = 48\*7 = 336$/,
    );
    await expect(
      h.fit({ ...set, image: { rows: 48, cols: 0, data: new Float32Array(0) } }),
    ).rejects.toThrow(/^Tiny: train\.image has 0 columns: every row needs at least one feature$/);
    await expect(h.fit({ ...set, text: undefined as never })).rejects.toThrow(
      /train\.text is missing/,
    );
    await expect(
      h.fit({ ...set, image: { ...set.image, data: new Float32Array(480).fill(Infinity) } }),
    ).rejects.toThrow(/train\.image: non-finite value Infinity at row 0, col 0/);
    h.dispose();
  });

  it("fails load naming the file after any edit of model.json or weights.bin", async () => {
    const set = data();
    const h = new Tiny({ epochs: 1 });
    await h.fit(set);
    const d = join(dir, "integrity");
    await h.save(d);
    h.dispose();
    const jsonPath = join(d, "model.json");
    const good = await readFile(jsonPath, "utf8");
    const json = JSON.parse(good);
    // re-indenting keeps the content: still loads, same codes
    await writeFile(jsonPath, JSON.stringify(json));
    (await Tiny.load(d)).dispose();
    const edits: ((j: typeof json) => void)[] = [
      (j) => {
        j.weights[1].offset = 0;
      },
      (j) => {
        j.config.seed = 2;
      },
      (j) => {
        j.dims.image = 10.0000001;
      },
      (j) => {
        j.extra = { x: 1 };
      },
      (j) => {
        j.files["weights.bin"].sha256 = "0".repeat(64);
      },
    ];
    for (const edit of edits) {
      const j = JSON.parse(good);
      edit(j);
      await writeFile(jsonPath, JSON.stringify(j, null, 2));
      const err = await Tiny.load(d).catch((e) => e);
      expect(err).toBeInstanceOf(ModelFormatError);
      expect(err.message).toContain(jsonPath);
      expect(err.message).toMatch(/integrity check/);
    }
    const { checksum: _c, ...noChecksum } = json;
    await writeFile(jsonPath, JSON.stringify(noChecksum));
    await expect(Tiny.load(d)).rejects.toThrow(/model.json has no checksum/);
    await writeFile(jsonPath, JSON.stringify({ ...json, formatVersion: 1 }));
    await expect(Tiny.load(d)).rejects.toThrow(/saved by an older format version \(1/);
    await writeFile(jsonPath, good);
    const binPath = join(d, "weights.bin");
    const bin = await readFile(binPath);
    const flipped = Buffer.from(bin);
    flipped[bin.length - 1] ^= 1;
    await writeFile(binPath, flipped);
    await expect(Tiny.load(d)).rejects.toThrow(
      new RegExp(
        `${binPath.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")} fails its SHA-256 integrity check`,
      ),
    );
  });

  it("names the mistake when saving onto a file or loading from a file", async () => {
    const set = data();
    const h = new Tiny({ epochs: 1 });
    await h.fit(set);
    const file = join(dir, "a-file");
    await writeFile(file, "x");
    await expect(h.save(file)).rejects.toThrow(/it is an existing file, not a folder/);
    await expect(h.save(join(file, "sub"))).rejects.toThrow(
      /a part of the path is an existing file/,
    );
    await expect(Tiny.load(file)).rejects.toThrow(/is a file, not a model folder/);
    h.dispose();
  });
});
