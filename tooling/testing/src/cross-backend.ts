import type { BinaryCodes } from "@cmh/hamming-index";
import type { Hasher } from "@cmh/tensor-core";
import { expect } from "vitest";
import { type TestBackend, withBackend } from "./backends";
import type { ConformanceContext } from "./conformance";

/**
 * How far a tiny conformance fit on one backend may be from the same fit on the reference backend.
 * Backends round differently (summation order, fused kernels, tanh through sigmoid on WASM), and
 * training amplifies rounding, so values agree closely but not bit for bit; a wrong gradient or
 * kernel moves them by much more (a sign or a missing term changes the losses after one step).
 * Measured wasm vs cpu on the method packages' conformance fits (tfjs 4.22): per-epoch losses
 * within 3.1e-4 relative (UGACH; 1.4e-6 or less for the others), at most 0.33% of code bits
 * differing, paired distances within 0.003. The bounds below leave about 10x room.
 */
export const CROSS_BACKEND_TOLERANCE = {
  /** Per-epoch mean loss ("total"): |a − b| ≤ lossRelative · max(|a|, |b|, lossFloor). */
  lossRelative: 0.005,
  /** Loss scale below which the relative bound becomes absolute. */
  lossFloor: 0.05,
  /** Share of all code bits (image and text codes of the training rows) that may differ. */
  bitDisagreement: 0.03,
  /**
   * Paired alignment, the tiny fit's retrieval metric: mean Hamming distance between an item's
   * image and text codes, as a share of bits; the backends' values may differ by this much.
   */
  pairedDistance: 0.02,
} as const;

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Share of bits that differ between two code sets of the same shape. */
export function bitDisagreement(a: BinaryCodes, b: BinaryCodes): number {
  if (a.n !== b.n || a.bits !== b.bits) {
    throw new Error(`code sets differ in shape: ${a.n}x${a.bits} vs ${b.n}x${b.bits}`);
  }
  let d = 0;
  for (let i = 0; i < a.words.length; i++) d += popcount((a.words[i] ^ b.words[i]) >>> 0);
  return a.n === 0 ? 0 : d / (a.n * a.bits);
}

/** What a fit looks like, for comparing backends: losses, codes of the training rows, alignment. */
export interface FitFingerprint {
  readonly backend: string;
  readonly losses: readonly number[];
  readonly image: BinaryCodes;
  readonly text: BinaryCodes;
  /** Mean Hamming distance between each training item's image and text codes, as a share of bits. */
  readonly pairedDistance: number;
}

/** Losses and codes of a fitted model on the context's data (encoded on the active backend). */
export function fingerprint<C extends object>(
  ctx: ConformanceContext<C>,
  model: Hasher<C>,
  losses: readonly number[],
  backend: string,
): FitFingerprint {
  const image = model.encode("image", ctx.data.image);
  const text = model.encode("text", ctx.data.text);
  return { backend, losses, image, text, pairedDistance: bitDisagreement(image, text) };
}

/**
 * Fit the context's method on `reference` with the same config and data, and expect the context's
 * fit (made on the active backend) to be within `CROSS_BACKEND_TOLERANCE` of it.
 */
export async function compareAcrossBackends<C extends object>(
  ctx: ConformanceContext<C>,
  reference: TestBackend,
): Promise<{ here: FitFingerprint; there: FitFingerprint }> {
  const here = fingerprint(
    ctx,
    ctx.model,
    ctx.report.history.map((h) => h.total),
    ctx.report.backend,
  );
  const there = await withBackend(reference, async () => {
    const m = new ctx.Method(ctx.options.config);
    try {
      const r = await m.fit(ctx.data);
      return fingerprint(
        ctx,
        m,
        r.history.map((h) => h.total),
        r.backend,
      );
    } finally {
      m.dispose();
    }
  });
  const T = CROSS_BACKEND_TOLERANCE;
  const what = `${here.backend} vs ${there.backend}`;
  expect(there.backend).toBe(reference);
  expect(here.losses.length, `${what}: epochs`).toBe(there.losses.length);
  for (const [i, a] of here.losses.entries()) {
    const b = there.losses[i];
    const bound = T.lossRelative * Math.max(Math.abs(a), Math.abs(b), T.lossFloor);
    expect(Math.abs(a - b), `${what}: epoch ${i + 1} loss ${a} vs ${b}`).toBeLessThanOrEqual(bound);
  }
  const bits =
    (bitDisagreement(here.image, there.image) + bitDisagreement(here.text, there.text)) / 2;
  expect(bits, `${what}: share of code bits that differ`).toBeLessThanOrEqual(T.bitDisagreement);
  expect(
    Math.abs(here.pairedDistance - there.pairedDistance),
    `${what}: paired image-text Hamming distance ${here.pairedDistance} vs ${there.pairedDistance}`,
  ).toBeLessThanOrEqual(T.pairedDistance);
  if (process.env.CMH_REPORT_CROSS_BACKEND) {
    const rel = here.losses.map(
      (a, i) => Math.abs(a - there.losses[i]) / Math.max(Math.abs(a), 1e-9),
    );
    console.log(
      `[cross-backend] ${ctx.Method.methodName} ${what}: max loss rel diff ${Math.max(...rel).toExponential(2)}, bits differ ${bits.toFixed(4)}, paired distance ${here.pairedDistance.toFixed(4)} vs ${there.pairedDistance.toFixed(4)}`,
    );
  }
  return { here, there };
}
