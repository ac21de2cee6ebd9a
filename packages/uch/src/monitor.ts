/**
 * Collapse monitors (spec §9.2): how much spread F^T, Z and H keep on a batch, how well the pairs
 * are aligned relative to that spread, and how diverse the batch's text codes are.
 */
import { signPm1, tf } from "@cmh/tensor-core";
import type { UCHNetworks } from "./network";

/** Collapse monitors computed on one batch (spec §9.2). */
export interface CollapseMonitor {
  /** Mean per-dimension variance of F^T, Z^T and H^T over the batch. */
  readonly varFT: number;
  readonly varZ: number;
  readonly varH: number;
  /** Paired distance of Z and of H relative to their spread: mean ||x^I−x^T||² / (Σvar x^I + Σvar x^T); ≈1 unaligned, →0 aligned. */
  readonly alignZ: number;
  readonly alignH: number;
  /** Share of distinct text codes in the batch. */
  readonly distinctCodes: number;
  /** Largest |per-bit mean| of the batch's text codes sign(H^T) (1 = a constant bit). */
  readonly maxBitMean: number;
}

function meanVariance(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.moments(x, 0).variance) as tf.Scalar);
}

/** Collapse monitors of the networks on a batch of image features `v` and text rows `t`. */
export function collapseMonitor(nets: UCHNetworks, v: tf.Tensor, t: tf.Tensor): CollapseMonitor {
  const vals = tf.tidy(() => {
    const ft = nets.textFeatures(t);
    const zt = nets.gfTI.enc.apply(ft);
    const ht = nets.gzTI.enc.apply(zt);
    const zi = nets.common("image", v);
    const hi = nets.gzIT.enc.apply(zi);
    const bitMean = tf.max(tf.abs(tf.mean(signPm1(ht), 0)));
    const align = (a: tf.Tensor, b: tf.Tensor) =>
      tf.div(
        tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1)),
        tf.add(tf.add(tf.sum(tf.moments(a, 0).variance), tf.sum(tf.moments(b, 0).variance)), 1e-12),
      );
    return tf.stack([
      meanVariance(ft),
      tf.mul(tf.add(meanVariance(zt), meanVariance(zi)), 0.5),
      meanVariance(ht),
      bitMean,
      align(zi, zt),
      align(hi, ht),
    ]);
  });
  const [varFT, varZ, varH, maxBitMean, alignZ, alignH] = Array.from(vals.dataSync());
  vals.dispose();
  const codes = tf.tidy(() => tf.cast(tf.greaterEqual(nets.hash("text", t), 0), "int32"));
  const bits = codes.dataSync();
  const K = codes.shape[1] ?? 1;
  codes.dispose();
  const seen = new Set<string>();
  for (let i = 0; i < bits.length / K; i++) seen.add(bits.subarray(i * K, (i + 1) * K).join(""));
  const distinctCodes = seen.size / (bits.length / K);
  return { varFT, varZ, varH, maxBitMean, alignZ, alignH, distinctCodes };
}
