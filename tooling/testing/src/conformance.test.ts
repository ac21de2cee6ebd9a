import type { CrossModalSet, Matrix } from "@cmh/datasets";
import { type FitContext, type Modality, tf } from "@cmh/tensor-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConformanceContext,
  cleanupConformance,
  conformanceChecks,
  describeHasherConformance,
  prepareConformance,
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
