import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  batchIndices,
  Dense,
  type FitContext,
  type InputDims,
  type Modality,
  matrixTensor,
  type PaperRef,
  type Rng,
  rowsTensor,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";

/** Config of `ExampleHasher`. */
export interface ExampleHasherConfig {
  readonly bits: number;
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Weight of the quantisation term mean((|h| - 1)²). */
  readonly quantization: number;
}

/**
 * The smallest useful method: one linear map per modality, codes sign(xW), trained so paired
 * codes agree (tanh relaxation), bits are balanced and near ±1. Used to test the conformance
 * suite; the scaffolder's template is the same method.
 */
export class ExampleHasher extends BaseHasher<ExampleHasherConfig> {
  static readonly methodName: string = "Example";
  static readonly paper: PaperRef = {
    title: "Example linear hashing",
    authors: "cmh",
    venue: "cmh docs",
    year: 2026,
  };
  static readonly supervised: boolean = false;
  static readonly inputs = ["image", "text"] as const;
  static readonly defaults: ExampleHasherConfig = {
    bits: 32,
    seed: 0,
    epochs: 5,
    batchSize: 32,
    lr: 0.01,
    quantization: 0.1,
  };
  static readonly presets: Record<string, Partial<ExampleHasherConfig>> = {
    paper: {},
    quick: { epochs: 2 },
  };

  private image?: Dense;
  private text?: Dense;

  protected build(dims: InputDims, rng: Rng): void {
    this.image = new Dense(dims.image, this.config.bits, rng);
    this.text = new Dense(dims.text, this.config.bits, rng);
  }

  protected weights(): Record<string, WeightValue> {
    return {
      "image.weight": this.image!.weight,
      "image.bias": this.image!.bias!,
      "text.weight": this.text!.weight,
      "text.bias": this.text!.bias!,
    };
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const { epochs, batchSize, lr, quantization } = this.config;
    const opt = ctx.optimizer("adam", new Adam({ lr }));
    const variables = [...this.image!.trainableVariables(), ...this.text!.trainableVariables()];
    await ctx.phase("train", epochs, async (epoch) => {
      for (const idx of batchIndices(train.image.rows, { batchSize, rng: ctx.rng })) {
        const x = rowsTensor(train.image, idx);
        const y = rowsTensor(train.text, idx);
        try {
          await epoch.step(
            () => {
              const hx = tf.tanh(this.image!.apply(x));
              const hy = tf.tanh(this.text!.apply(y));
              const pair = tf.mean(tf.square(tf.sub(hx, hy))) as tf.Scalar;
              const balance = tf.add(
                tf.mean(tf.square(tf.mean(hx, 0))),
                tf.mean(tf.square(tf.mean(hy, 0))),
              ) as tf.Scalar;
              const quant = tf.mean(tf.square(tf.sub(tf.abs(tf.concat([hx, hy])), 1))) as tf.Scalar;
              const total = tf.addN([pair, balance, tf.mul(quant, quantization)]) as tf.Scalar;
              return { total, terms: { pair, balance, quant } };
            },
            { optimizer: opt, variables },
          );
        } finally {
          tf.dispose([x, y]);
        }
      }
    });
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    return (modality === "image" ? this.image! : this.text!).apply(matrixTensor(x));
  }
}
