import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  BaseHasher,
  batchIndices,
  type ConfigOf,
  configSchema,
  createOptimizer,
  Dense,
  defineConfig,
  type FitContext,
  type InputDims,
  inputSpecSchema,
  type Modality,
  matrixTensor,
  optimizerSchema,
  type PaperRef,
  type Rng,
  rowsTensor,
  tf,
  type WeightValue,
  z,
} from "@cmh/tensor-core";

// This file is also the template of `pnpm new-method`: the scaffolder copies it into the new
// package, renaming `ExampleHasher` and replacing the NAME and TITLE lines and the paper's
// authors and venue. Keep it a complete, working method (the conformance suite tests it).
const NAME = "Example";
const TITLE = "Example linear hashing";

/**
 * The config schema of ExampleHasher: the shared `bits`/`seed`/`input` keys plus the method's own.
 * The config type, the defaults, validation (one ConfigError naming key, value and expectation),
 * the README options table (`pnpm docs:options`) and the bench's `--set` parsing derive from it.
 * Each description carries the value's provenance: [paper], [code] or NOT in the paper.
 */
export const ExampleHasherSchema = configSchema({
  input: inputSpecSchema
    .default("standardize")
    .describe("The shared input stage, fitted on the training rows [say what the paper does]."),
  epochs: z.number().int().min(1).default(20).describe("Training epochs [paper]."),
  batchSize: z.number().int().min(2).default(64).describe("Mini-batch size [paper]."),
  optimizer: optimizerSchema.default("adam").describe("Optimiser of both maps [paper]."),
  lr: z.number().gt(0).default(0.01).describe("Learning rate [paper]."),
  quantization: z
    .number()
    .min(0)
    .default(0.1)
    .describe("Weight of the quantisation term mean((|h| - 1)²) [paper]."),
});

/** Configuration of ExampleHasher (defaults: `ExampleHasher.defaults`, the `paper` preset). */
export type ExampleHasherConfig = ConfigOf<typeof ExampleHasherSchema>;

/** Defaults and presets, validated against the schema when the module loads. */
export const ExampleHasherConfigs = defineConfig(NAME, ExampleHasherSchema, {
  paper: {},
  quick: { epochs: 3 },
});

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
  static readonly schema = ExampleHasherSchema;
  static readonly defaults = ExampleHasherConfigs.defaults;
  static readonly presets = ExampleHasherConfigs.presets;
  /** The bit-balance term needs batch statistics: fit refuses fewer training pairs. */
  static readonly minTrainingRows = 2;
  static readonly minTrainingRowsReason = "batch statistics";

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
    const optimizer = ctx.optimizer("maps", createOptimizer(this.config.optimizer, { lr }));
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
    return [this.requireModel(this.image), this.requireModel(this.text)];
  }
}
