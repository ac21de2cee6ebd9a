import { tf } from "../backend/tf";
import { ConfigError } from "../hasher/errors";

/** Something that updates variables from their gradients. */
export interface Optimizer {
  /** Current learning rate (schedules set it each epoch). */
  lr: number;
  /** Apply one update; `grads` maps variable name -> gradient (as from tf.variableGrads). */
  step(variables: readonly tf.Variable[], grads: Readonly<Record<string, tf.Tensor>>): void;
  /** Steps taken so far (Adam's t); restored on resume. */
  iterations: number;
  /** Per-variable state (momentum buffer, moments) for checkpoints. */
  slots(): Array<{ variable: tf.Variable; slot: string; value: tf.Tensor }>;
  /** Restore one slot of `variable` from saved values (creating it when absent). */
  setSlot(variable: tf.Variable, slot: string, values: Float32Array): void;
  /** Release the optimiser's state tensors. */
  dispose(): void;
}

/** Options for `Sgd` (PyTorch torch.optim.SGD semantics, dampening 0, nesterov off). */
export interface SgdOptions {
  readonly lr: number;
  readonly momentum?: number;
  /** L2 weight decay added to the gradient: g += weightDecay · p. */
  readonly weightDecay?: number;
}

function checkLr(lr: number): void {
  if (!(Number.isFinite(lr) && lr >= 0))
    throw new RangeError(`learning rate must be a finite number >= 0, got ${lr}`);
}

/** SGD with momentum and weight decay, exactly as torch.optim.SGD (buf = μ·buf + g; p -= lr·buf). */
export class Sgd implements Optimizer {
  lr: number;
  iterations = 0;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly buffers = new Map<tf.Variable, tf.Variable>();

  constructor(options: SgdOptions) {
    checkLr(options.lr);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
  }

  step(variables: readonly tf.Variable[], grads: Readonly<Record<string, tf.Tensor>>): void {
    this.iterations += 1;
    tf.tidy(() => {
      for (const p of variables) {
        let g = grads[p.name];
        if (!g) continue;
        if (this.weightDecay) g = tf.add(g, tf.mul(p, this.weightDecay));
        if (this.momentum) {
          const buf = this.buffers.get(p);
          if (!buf) {
            const b = tf.variable(g, false);
            this.buffers.set(p, b);
            g = b;
          } else {
            buf.assign(tf.add(tf.mul(buf, this.momentum), g));
            g = buf;
          }
        }
        p.assign(tf.sub(p, tf.mul(g, this.lr)));
      }
    });
  }

  slots(): Array<{ variable: tf.Variable; slot: string; value: tf.Tensor }> {
    return [...this.buffers].map(([variable, value]) => ({ variable, slot: "momentum", value }));
  }

  setSlot(variable: tf.Variable, slot: string, values: Float32Array): void {
    if (slot !== "momentum") throw new RangeError(`Sgd has no optimiser slot "${slot}"`);
    this.buffers.get(variable)?.dispose();
    this.buffers.set(
      variable,
      tf.tidy(() => tf.variable(tf.tensor(values, variable.shape), false)),
    );
  }

  /** Release the momentum buffers. */
  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}

/** Options for `Adam` (torch.optim.Adam semantics: L2 weight decay added to the gradient). */
export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

/** Adam as torch.optim.Adam (bias-corrected moments, eps outside the sqrt, L2-style decay). */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  iterations = 0;
  private readonly moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();

  constructor(options: AdamOptions) {
    checkLr(options.lr);
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  step(variables: readonly tf.Variable[], grads: Readonly<Record<string, tf.Tensor>>): void {
    this.iterations += 1;
    const bc1 = 1 - this.beta1 ** this.iterations;
    const bc2 = 1 - this.beta2 ** this.iterations;
    tf.tidy(() => {
      for (const p of variables) {
        let g = grads[p.name];
        if (!g) continue;
        if (this.weightDecay) g = tf.add(g, tf.mul(p, this.weightDecay));
        let s = this.moments.get(p);
        if (!s) {
          s = { m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false) };
          this.moments.set(p, s);
        }
        s.m.assign(tf.add(tf.mul(s.m, this.beta1), tf.mul(g, 1 - this.beta1)));
        s.v.assign(tf.add(tf.mul(s.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(s.v), Math.sqrt(bc2)), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(s.m, denom), this.lr / bc1)));
      }
    });
  }

  slots(): Array<{ variable: tf.Variable; slot: string; value: tf.Tensor }> {
    return [...this.moments].flatMap(([variable, s]) => [
      { variable, slot: "m", value: s.m },
      { variable, slot: "v", value: s.v },
    ]);
  }

  setSlot(variable: tf.Variable, slot: string, values: Float32Array): void {
    if (slot !== "m" && slot !== "v") throw new RangeError(`Adam has no optimiser slot "${slot}"`);
    let s = this.moments.get(variable);
    if (!s) {
      s = {
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      };
      this.moments.set(variable, s);
    }
    const t = tf.tensor(values, variable.shape);
    s[slot].assign(t);
    t.dispose();
  }

  /** Release the first and second moment estimates. */
  dispose(): void {
    for (const s of this.moments.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.moments.clear();
  }
}

/** Learning rate as a function of the 0-based epoch. */
export type LrSchedule = (epoch: number) => number;

/** Constant rate. */
export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

/** torch StepLR: lr · gamma^⌊epoch / stepSize⌋. */
export function stepLr(lr: number, stepSize: number, gamma = 0.1): LrSchedule {
  if (!(Number.isInteger(stepSize) && stepSize > 0))
    throw new RangeError(`stepSize must be a positive integer, got ${stepSize}`);
  return (epoch) => lr * gamma ** Math.floor(epoch / stepSize);
}

/** Linear interpolation from `from` (epoch 0) to `to` (epoch epochs-1), as MLSPH/DSPAH. */
export function linearLr(from: number, to: number, epochs: number): LrSchedule {
  return (epoch) =>
    epochs <= 1 ? from : from + ((to - from) * Math.min(epoch, epochs - 1)) / (epochs - 1);
}

/** torch ExponentialLR: lr · gamma^epoch. */
export function exponentialLr(lr: number, gamma: number): LrSchedule {
  return (epoch) => lr * gamma ** epoch;
}

/** Names of the optimisers `createOptimizer` builds (a method config's `optimizer` key). */
export const OPTIMIZER_NAMES = Object.freeze(["sgd", "adam"] as const);

/** An optimiser name: "sgd" (`Sgd`) or "adam" (`Adam`). */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Options of `createOptimizer`: the learning rate, plus what the named optimiser takes. */
export interface CreateOptimizerOptions {
  readonly lr: number;
  /** SGD momentum (ignored by Adam). */
  readonly momentum?: number;
  /** L2 weight decay added to the gradient (both). */
  readonly weightDecay?: number;
}

/**
 * The optimiser-from-a-string: `"sgd"` -> `new Sgd({ lr, momentum, weightDecay })`, `"adam"` ->
 * `new Adam({ lr, weightDecay })`. Throws a ConfigError naming the value for any other name.
 */
export function createOptimizer(name: OptimizerName, options: CreateOptimizerOptions): Sgd | Adam {
  if (name === "adam") return new Adam({ lr: options.lr, weightDecay: options.weightDecay });
  if (name === "sgd")
    return new Sgd({
      lr: options.lr,
      momentum: options.momentum,
      weightDecay: options.weightDecay,
    });
  throw new ConfigError(
    `optimizer must be one of ${OPTIMIZER_NAMES.map((n) => JSON.stringify(n)).join(", ")}, got ${JSON.stringify(name)}`,
  );
}
