import type { CrossModalSet, Matrix } from "@cmh/datasets";
import { type FitContext, type Modality, tf } from "@cmh/tensor-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConformanceContext,
  cleanupConformance,
  conformanceChecks,
  describeHasherConformance,
  prepareConformance,
  SCALE_MAP_TOLERANCE,
  stagedConfig,
} from "./conformance";
import { ExampleHasher, type ExampleHasherConfig } from "./example-hasher";

describeHasherConformance(ExampleHasher, { config: { epochs: 3, bits: 32 } });

// The suite must catch violations: methods that break one rule each.

/** Unsupervised, but its codes depend on the labels when the caller passes them. */
class ReadsLabels extends ExampleHasher {
  static override readonly methodName: string = "ReadsLabels";
  private sawLabels = false;
  override async fit(train: CrossModalSet, options?: Parameters<ExampleHasher["fit"]>[1]) {
    this.sawLabels = train.labels !== undefined; // bypasses the base class's label stripping
    return super.fit(train, options);
  }
  protected override async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    await super.train(train, ctx);
    if (this.sawLabels) {
      const bias = this.weights()["image.bias"] as tf.Variable;
      bias.assign(tf.add(bias, 10));
    }
  }
}

/** Leaks one tensor per encode. */
class Leaky extends ExampleHasher {
  static override readonly methodName: string = "Leaky";
  protected override project(modality: Modality, x: Matrix): tf.Tensor {
    tf.keep(tf.ones([2]));
    return super.project(modality, x);
  }
}

async function failing<C extends object>(
  ctx: ConformanceContext<C>,
  title: string,
): Promise<Error> {
  try {
    await conformanceChecks[title](ctx);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`check "${title}" passed but should have failed`);
}

describe("the conformance suite catches violations", () => {
  const config: Partial<ExampleHasherConfig> = { epochs: 1, bits: 16 };
  let reads: ConformanceContext<ExampleHasherConfig>;
  let leaky: ConformanceContext<ExampleHasherConfig>;
  beforeAll(async () => {
    reads = await prepareConformance(ReadsLabels, { config });
    leaky = await prepareConformance(Leaky, { config });
  });
  afterAll(async () => {
    await cleanupConformance(reads);
    await cleanupConformance(leaky);
  });

  it("an unsupervised method whose codes change with labels fails the label check", async () => {
    const e = await failing(
      reads,
      "handles labels per its supervision, and is reproducible from its seed",
    );
    expect(e.message).toMatch(/expected|toEqual/i);
  });

  it("a method that leaks tensors fails the leak check", async () => {
    await failing(leaky, "leaks no tensors across fit, encode and dispose");
  });

  it("wrong-width input accepted by encode fails the encode check", async () => {
    const ctx = {
      ...leaky,
      model: { ...leaky.model, encode: () => leaky.model.encode("image", leaky.data.image) },
    };
    await failing(ctx as typeof leaky, "rejects encode input of the wrong width or with NaN");
  });
});

/** Bypasses the input stage: its codes shift with the raw features' scale (a large one fixes every bit). */
class ScaleSensitive extends ExampleHasher {
  static override readonly methodName: string = "ScaleSensitive";
  private offset = 0;
  override async fit(train: CrossModalSet, options?: Parameters<ExampleHasher["fit"]>[1]) {
    let max = 0;
    for (const v of train.image.data) max = Math.max(max, Math.abs(v));
    this.offset = max > 100 ? 1e6 : 0;
    return super.fit(train, options);
  }
  protected override project(modality: Modality, x: Matrix): tf.Tensor {
    return tf.add(super.project(modality, x), this.offset);
  }
}

/** Divides image rows by each batch's column std without a guard: a constant column gives NaN. */
class NaiveStd extends ExampleHasher {
  static override readonly methodName: string = "NaiveStd";
  protected override project(modality: Modality, x: Matrix): tf.Tensor {
    if (modality === "text") return super.project(modality, x);
    const t = tf.tensor2d(x.data, [x.rows, x.cols]);
    const { mean, variance } = tf.moments(t, 0);
    const z = tf.div(tf.sub(t, mean), tf.sqrt(variance));
    return super.project(modality, { ...x, data: z.dataSync() as Float32Array });
  }
}

/** One code for every item. */
class Collapsed extends ExampleHasher {
  static override readonly methodName: string = "Collapsed";
  protected override project(_modality: Modality, x: Matrix): tf.Tensor {
    return tf.ones([x.rows, this.config.bits]);
  }
}

describe("the conformance suite catches fragile and collapsed methods", () => {
  const config: Partial<ExampleHasherConfig> = { epochs: 1, bits: 16 };

  it("stagedConfig keeps a configured stage, else takes quick's, else standardize", () => {
    expect(stagedConfig(ExampleHasher, { input: "l2" }).input).toBe("l2");
    expect(stagedConfig(ExampleHasher, {}).input).toBe(
      ExampleHasher.presets.quick.input ?? "standardize",
    );
    expect(stagedConfig(ExampleHasher, { input: "none" }).input).toBe("standardize");
    expect(SCALE_MAP_TOLERANCE).toBeGreaterThan(0);
  });

  it("codes that move with the features' scale fail the scale check", async () => {
    const ctx = await prepareConformance(ScaleSensitive, { config });
    try {
      const e = await failing(
        ctx,
        "with its input stage on, one modality scaled by 1000 or 0.001 keeps codes healthy and mAP",
      );
      expect(e.message).toMatch(/collapsed|mAP/);
    } finally {
      await cleanupConformance(ctx);
    }
  });

  it("NaN on a constant column fails the constant-column check", async () => {
    const ctx = await prepareConformance(NaiveStd, { config });
    try {
      const e = await failing(
        ctx,
        "with its input stage on, a constant column and an all-zero row break neither fit nor encode",
      );
      expect(e.message).toMatch(/NaN/);
    } finally {
      await cleanupConformance(ctx);
    }
  });

  it("collapsed codes fail the code-health check", async () => {
    const ctx = await prepareConformance(Collapsed, { config });
    try {
      const e = await failing(
        ctx,
        "reports codeHealth in the fit report; a small fit with its input stage on has healthy codes",
      );
      expect(e.message).toMatch(/collapsed|identical/);
    } finally {
      await cleanupConformance(ctx);
    }
  });
});
