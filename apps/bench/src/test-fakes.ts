/**
 * Test-only Hasher implementations (random projections with knobs to fail). They exercise the
 * runner and the reports in tests; they are never registered.
 */
import type { CrossModalSet, Matrix } from "@cmh/datasets";
import { type BinaryCodes, mulberry32, packCodes } from "@cmh/hamming-index";
import type {
  FitOptions,
  FitReport,
  Hasher,
  HasherClass,
  HasherMetadata,
  Modality,
} from "@cmh/tensor-core";

/** Config of the fake. */
export interface FakeConfig {
  bits: number;
  seed: number;
  epochs: number;
  /** Throw in fit at this epoch. */
  throwAt: number | null;
  /** Report a NaN loss at this epoch. */
  nanAt: number | null;
  /** Return a wrong number of codes from encode. */
  badEncode: boolean;
  /** Encode every item of these modalities to the same code (collapsed codes). */
  constant: ("image" | "text")[];
}

/** Columns summed per bit. */
const TAPS = 16;

/** A fake method class; `lastFitHadLabels` tells whether its last fit saw labels. */
export type FakeClass = HasherClass<FakeConfig> & { lastFitHadLabels: boolean | null };

/** Build a fake method class with the given name, supervised flag and quick preset. */
export function makeFakeHasher(
  name: string,
  supervised = false,
  quick: Partial<FakeConfig> = { epochs: 2 },
): FakeClass {
  class Fake implements Hasher<FakeConfig> {
    static readonly methodName = name;
    static readonly presets: Record<string, Partial<FakeConfig>> = {
      quick,
      paper: { epochs: 3 },
    };
    static async load(_dir: string): Promise<Hasher<FakeConfig>> {
      throw new Error(`${name}: load is not supported by the test fake`);
    }
    readonly config: FakeConfig;
    readonly meta: HasherMetadata;
    fitted = false;
    /** Labels seen by the last fit (tests check unsupervised methods get none). */
    static lastFitHadLabels: boolean | null = null;
    private proj: Partial<
      Record<Modality, { cols: Int32Array; w: Float64Array; mean: Float64Array; width: number }>
    > = {};
    constructor(config: Partial<FakeConfig> = {}) {
      this.config = {
        bits: 16,
        seed: 0,
        epochs: 2,
        throwAt: null,
        nanAt: null,
        badEncode: false,
        constant: [],
        ...config,
      };
      this.meta = {
        name,
        paper: { title: "test fake", authors: "nobody", venue: "tests", year: 2026 },
        supervised,
        bits: this.config.bits,
        inputs: supervised ? ["image", "text", "labels"] : ["image", "text"],
      };
    }
    async fit(train: CrossModalSet, options: FitOptions = {}): Promise<FitReport> {
      Fake.lastFitHadLabels = train.labels !== undefined;
      const t0 = performance.now();
      const history: Record<string, number>[] = [];
      for (let e = 1; e <= this.config.epochs; e++) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
        if (this.config.throwAt === e) throw new Error(`${name}: deliberate failure at epoch ${e}`);
        const loss = this.config.nanAt === e ? Number.NaN : 1 / e;
        history.push({ total: loss });
        options.onProgress?.({
          method: name,
          phase: "train",
          epoch: e,
          epochs: this.config.epochs,
          loss,
          elapsedSeconds: (performance.now() - t0) / 1000,
        });
        await new Promise((r) => setTimeout(r, 1));
      }
      if (options.signal?.aborted) throw options.signal.reason ?? new Error("aborted");
      // Each bit: a signed sum of a few random centred columns (cheap, deterministic).
      const rnd = mulberry32(this.config.seed * 7919 + this.config.bits);
      for (const m of ["image", "text"] as const) {
        const x = train[m];
        const bits = this.config.bits;
        const cols = new Int32Array(bits * TAPS);
        const w = new Float64Array(bits * TAPS);
        for (let i = 0; i < cols.length; i++) {
          cols[i] = Math.floor(rnd() * x.cols);
          w[i] = rnd() < 0.5 ? -1 : 1;
        }
        const mean = new Float64Array(x.cols);
        for (let r = 0; r < x.rows; r++)
          for (let c = 0; c < x.cols; c++) mean[c] += x.data[r * x.cols + c];
        for (let c = 0; c < x.cols; c++) mean[c] /= x.rows;
        this.proj[m] = { cols, w, mean, width: x.cols };
      }
      this.fitted = true;
      return {
        method: name,
        bits: this.config.bits,
        backend: "test",
        kernelFixes: ["test:Fake"],
        epochs: this.config.epochs,
        seconds: (performance.now() - t0) / 1000,
        history,
        trainSize: train.image.rows,
      };
    }
    encode(modality: Modality, x: Matrix): BinaryCodes {
      const p = this.proj[modality];
      if (!p) throw new Error(`${name}: encode before fit`);
      if (x.cols !== p.width) {
        throw new Error(`${name}: ${modality} has ${x.cols} columns, expected ${p.width}`);
      }
      const bits = this.config.bits;
      const n = this.config.badEncode ? Math.max(0, x.rows - 1) : x.rows;
      const out = new Float64Array(n * bits);
      for (let r = 0; r < n; r++) {
        for (let b = 0; b < bits; b++) {
          let s = 0;
          for (let t = b * TAPS; t < (b + 1) * TAPS; t++) {
            s += (x.data[r * p.width + p.cols[t]] - p.mean[p.cols[t]]) * p.w[t];
          }
          out[r * bits + b] = this.config.constant.includes(modality) ? 1 : s;
        }
      }
      return packCodes(out, n, bits);
    }
    async save(_dir: string): Promise<void> {
      throw new Error(`${name}: save is not supported by the test fake`);
    }
    dispose(): void {
      this.proj = {};
    }
  }
  return Fake;
}
