import { requireBackend } from "../backend/backend";
import { tf } from "../backend/tf";
import { type InitScheme, initVariable } from "./init";
import type { Rng } from "./rng";

/** Activation names understood by `activate`. */
export type Activation = "linear" | "relu" | "tanh" | "sigmoid" | "leakyRelu" | "elu" | "softplus";

/** Apply an activation; `leakySlope` is leaky ReLU's negative slope (PyTorch default 0.01). */
export function activate(x: tf.Tensor, activation: Activation, leakySlope = 0.01): tf.Tensor {
  switch (activation) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "leakyRelu":
      return tf.leakyRelu(x, leakySlope);
    case "elu":
      return tf.elu(x);
    case "softplus":
      return tf.softplus(x);
    default:
      throw new RangeError(`unknown activation ${JSON.stringify(activation)}`);
  }
}

/** Something with trainable (and possibly non-trainable) weights, addressable by name. */
export interface Layer {
  /** Forward pass; `training` switches dropout and batch-norm behaviour. */
  apply(x: tf.Tensor, training?: boolean): tf.Tensor;
  /** Trainable variables (what an optimiser updates). */
  trainableVariables(): tf.Variable[];
  /** Every weight, trainable or not, by a stable name (what save/load stores). */
  namedWeights(): Record<string, tf.Variable>;
  /** Release the layer's variables. */
  dispose(): void;
}

/** Options for `Dense`. */
export interface DenseOptions {
  /** Weight init (default "torch": PyTorch nn.Linear). */
  readonly init?: InitScheme;
  /** Bias init; default follows `init`: "torch" -> U(±1/√fan_in), otherwise zeros. `false`: no bias. */
  readonly biasInit?: InitScheme | false;
  readonly activation?: Activation;
  readonly leakySlope?: number;
  readonly name?: string;
}

/** Fully connected layer y = act(x W + b), W of shape [in, out]. */
export class Dense implements Layer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly activation: Activation;
  readonly leakySlope: number;
  readonly name: string;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    options: DenseOptions = {},
  ) {
    for (const [k, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new RangeError(`Dense ${k} must be a positive integer, got ${v}`);
    }
    const init = options.init ?? "torch";
    this.name = options.name ?? "dense";
    this.activation = options.activation ?? "linear";
    this.leakySlope = options.leakySlope ?? 0.01;
    this.weight = initVariable(init, [inFeatures, outFeatures], rng);
    const biasInit = options.biasInit ?? (init === "torch" ? "torch" : "zeros");
    this.bias =
      biasInit === false
        ? null
        : initVariable(biasInit, [outFeatures], rng, { fanIn: inFeatures, fanOut: outFeatures });
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D) as tf.Tensor;
      if (this.bias) y = tf.add(y, this.bias);
      return activate(y, this.activation, this.leakySlope);
    });
  }

  trainableVariables(): tf.Variable[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  namedWeights(): Record<string, tf.Variable> {
    const w: Record<string, tf.Variable> = { weight: this.weight };
    if (this.bias) w.bias = this.bias;
    return w;
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

/** Options for `BatchNorm1d` (PyTorch semantics: momentum 0.1, eps 1e-5, unbiased running var). */
export interface BatchNormOptions {
  readonly momentum?: number;
  readonly eps?: number;
}

/** Batch normalisation over the rows of a [batch, features] tensor. */
export class BatchNorm1d implements Layer {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly momentum: number;
  readonly eps: number;

  constructor(
    readonly features: number,
    options: BatchNormOptions = {},
  ) {
    requireBackend();
    this.momentum = options.momentum ?? 0.1;
    this.eps = options.eps ?? 1e-5;
    this.gamma = tf.variable(tf.ones([features]), true);
    this.beta = tf.variable(tf.zeros([features]), true);
    this.runningMean = tf.variable(tf.zeros([features]), false);
    this.runningVar = tf.variable(tf.ones([features]), false);
  }

  apply(x: tf.Tensor, training = false): tf.Tensor {
    return tf.tidy(() => {
      if (!training) {
        const inv = tf.rsqrt(tf.add(this.runningVar, this.eps));
        return tf.add(tf.mul(tf.mul(tf.sub(x, this.runningMean), inv), this.gamma), this.beta);
      }
      const n = x.shape[0];
      if (n < 2)
        throw new RangeError("BatchNorm1d in training mode needs a batch of at least 2 rows");
      const { mean, variance } = tf.moments(x, 0);
      const m = this.momentum;
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        const unbiased = tf.mul(variance, n / (n - 1));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      });
      const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(xhat, this.gamma), this.beta);
    });
  }

  trainableVariables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  namedWeights(): Record<string, tf.Variable> {
    return {
      gamma: this.gamma,
      beta: this.beta,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
    };
  }

  dispose(): void {
    for (const v of Object.values(this.namedWeights())) v.dispose();
  }
}

/** Inverted dropout, active only when `training` is true; masks are drawn from the seeded rng. */
export class Dropout implements Layer {
  constructor(
    readonly rate: number,
    private readonly rng: Rng,
  ) {
    if (!(rate >= 0 && rate < 1))
      throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  }

  apply(x: tf.Tensor, training = false): tf.Tensor {
    if (!training || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = tf.cast(
        tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, "float32", this.rng.seed()), this.rate),
        "float32",
      );
      return tf.mul(x, tf.mul(keep, 1 / (1 - this.rate)));
    });
  }

  trainableVariables(): tf.Variable[] {
    return [];
  }

  namedWeights(): Record<string, tf.Variable> {
    return {};
  }

  dispose(): void {}
}

/** Options for `Mlp`. */
export interface MlpOptions {
  /** Hidden activation (default "relu"). */
  readonly activation?: Activation;
  /** Output activation (default "linear"). */
  readonly outputActivation?: Activation;
  readonly leakySlope?: number;
  /** Weight init of every layer (default "torch"), or one per layer. */
  readonly init?: InitScheme | readonly InitScheme[];
  readonly biasInit?: InitScheme | false;
  /** Dropout rate after each hidden activation (default 0). */
  readonly dropout?: number;
  /** Batch norm after each hidden linear map, before the activation (default false). */
  readonly batchNorm?: boolean;
}

/** A multi-layer perceptron: sizes [in, h1, ..., out], activation on hidden layers. */
export class Mlp implements Layer {
  readonly layers: Layer[] = [];
  readonly dense: Dense[] = [];
  private readonly names: string[] = [];

  constructor(
    readonly sizes: readonly number[],
    rng: Rng,
    options: MlpOptions = {},
  ) {
    if (sizes.length < 2)
      throw new RangeError(`Mlp needs at least [in, out] sizes, got [${sizes.join(", ")}]`);
    const nLin = sizes.length - 1;
    for (let i = 0; i < nLin; i++) {
      const last = i === nLin - 1;
      const init = Array.isArray(options.init)
        ? options.init[i]
        : ((options.init as InitScheme | undefined) ?? "torch");
      const bn = !last && options.batchNorm;
      const d = new Dense(sizes[i], sizes[i + 1], rng, {
        init,
        biasInit: options.biasInit,
        activation: last
          ? (options.outputActivation ?? "linear")
          : bn
            ? "linear"
            : (options.activation ?? "relu"),
        leakySlope: options.leakySlope,
      });
      this.dense.push(d);
      this.push(`${i}`, d);
      if (bn) {
        this.push(`bn${i}`, new BatchNorm1d(sizes[i + 1]));
        this.push(`act${i}`, new ActivationLayer(options.activation ?? "relu", options.leakySlope));
      }
      if (!last && options.dropout) this.push(`drop${i}`, new Dropout(options.dropout, rng.fork()));
    }
  }

  private push(name: string, layer: Layer): void {
    this.names.push(name);
    this.layers.push(layer);
  }

  apply(x: tf.Tensor, training = false): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const l of this.layers) y = l.apply(y, training);
      return y;
    });
  }

  trainableVariables(): tf.Variable[] {
    return this.layers.flatMap((l) => l.trainableVariables());
  }

  namedWeights(): Record<string, tf.Variable> {
    return prefixWeights(Object.fromEntries(this.layers.map((l, i) => [this.names[i], l])));
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}

class ActivationLayer implements Layer {
  constructor(
    readonly activation: Activation,
    readonly leakySlope = 0.01,
  ) {}
  apply(x: tf.Tensor): tf.Tensor {
    return activate(x, this.activation, this.leakySlope);
  }
  trainableVariables(): tf.Variable[] {
    return [];
  }
  namedWeights(): Record<string, tf.Variable> {
    return {};
  }
  dispose(): void {}
}

/** Merge the named weights of several layers as "<key>.<name>" (for save/load of a whole model). */
export function prefixWeights(
  parts: Record<string, Layer | { namedWeights(): Record<string, tf.Variable> }>,
): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [k, layer] of Object.entries(parts)) {
    for (const [n, v] of Object.entries(layer.namedWeights())) out[`${k}.${n}`] = v;
  }
  return out;
}
