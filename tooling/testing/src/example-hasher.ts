import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  batchIndices,
  Dense,
  type FitContext,
  type InputDims,
  type InputSpec,
  type Modality,
  matrixTensor,
  type PaperRef,
  type Rng,
  rowsTensor,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";

// This file is also the template of `pnpm new-method`: the scaffolder copies it into the new
// package, renaming `ExampleHasher` and replacing the NAME and TITLE lines and the paper's
// authors and venue. Keep it a complete, working method (the conformance suite tests it).
const NAME = "Example";
const TITLE = "Example linear hashing";

/** Configuration of ExampleHasher (defaults: `ExampleHasher.defaults`). */
export interface ExampleHasherConfig {
  /** Code length in bits (8..1024). */
  readonly bits: number;
  /** Seed of every random choice in fit. */
  readonly seed: number;
  /** The shared input stage (tensor-core), fitted on the training rows; say what the paper does. */
  readonly input: InputSpec;
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam learning rate. */
  readonly lr: number;
  /** Weight of the quantisation term mean((|h| - 1)²). */
  readonly quantization: number;
}

/**
 * A minimal working method, the starting point `pnpm new-method` generates: one linear map per
 * modality, h = tanh(xW + b) during training and sign(xW + b) as the code; the loss pulls paired
 * codes together, balances bits and pushes |h| to 1. Replace `build`, `train` and `project` with the
 * paper's algorithm; the base class handles validation, progress, cancellation, checkpoints,
 * encoding and save/load.
 */
export class ExampleHasher extends BaseHasher<ExampleHasherConfig> {
  static readonly methodName: string = NAME;
  static readonly paper: PaperRef = {
    title: TITLE,
    authors: "cmh",
    venue: "cmh docs",
    year: 2026,
  };
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: ExampleHasherConfig = {
    bits: 32,
    seed: 0,
    input: "standardize",
    epochs: 20,
    batchSize: 64,
    lr: 0.01,
    quantization: 0.1,
  };
  static readonly presets: Record<string, Partial<ExampleHasherConfig>> = {
    paper: {},
    quick: { epochs: 3 },
  };

  /** Extra config checks, run after the base's type and range checks. */
  static validateConfig(c: ExampleHasherConfig): void {
    for (const k of ["epochs", "batchSize"] as const) {
      if (!Number.isInteger(c[k]) || c[k] < 1) {
        throw new RangeError(`${NAME}: config.${k} must be a positive integer, got ${c[k]}`);
      }
    }
  }

  private image?: Dense;
  private text?: Dense;

  protected build(dims: InputDims, rng: Rng): void {
    this.image = new Dense(dims.image, this.config.bits, rng);
    this.text = new Dense(dims.text, this.config.bits, rng);
  }

  protected weights(): Record<string, WeightValue> {
    const [image, text] = this.nets();
    return {
      "image.weight": image.weight,
      "image.bias": image.bias as tf.Variable,
      "text.weight": text.weight,
      "text.bias": text.bias as tf.Variable,
    };
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const { epochs, batchSize, lr, quantization } = this.config;
    const [image, text] = this.nets();
    const optimizer = ctx.optimizer("adam", new Adam({ lr }));
    const variables = [...image.trainableVariables(), ...text.trainableVariables()];
    await ctx.phase("train", epochs, async (epoch) => {
      for (const idx of batchIndices(train.image.rows, { batchSize, rng: ctx.rng })) {
        const x = rowsTensor(train.image, idx);
        const y = rowsTensor(train.text, idx);
        try {
          await epoch.step(
            () => {
              const hx = tf.tanh(image.apply(x));
              const hy = tf.tanh(text.apply(y));
              const pair = tf.mean(tf.square(tf.sub(hx, hy))) as tf.Scalar;
              const balance = tf.add(
                tf.mean(tf.square(tf.mean(hx, 0))),
                tf.mean(tf.square(tf.mean(hy, 0))),
              ) as tf.Scalar;
              const quant = tf.mean(tf.square(tf.sub(tf.abs(tf.concat([hx, hy])), 1))) as tf.Scalar;
              const total = tf.addN([pair, balance, tf.mul(quant, quantization)]) as tf.Scalar;
              return { total, terms: { pair, balance, quant } };
            },
            { optimizer, variables },
          );
        } finally {
          tf.dispose([x, y]);
        }
      }
    });
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const [image, text] = this.nets();
    return (modality === "image" ? image : text).apply(matrixTensor(x));
  }

  private nets(): [Dense, Dense] {
    if (!this.image || !this.text) throw new Error(`${NAME}: model not built`);
    return [this.image, this.text];
  }
}
