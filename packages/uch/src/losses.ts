/**
 * UCH losses [reconstructed, spec §4]: the loss terms (adversarial terms from discriminator logits,
 * never log(sigmoid(·)), spec §9.3; cycle reconstruction; paired similarity; the optional terms
 * that are not in the paper) and the objectives of the four alternating updates (spec §5,
 * eqs. 16–19) on one mini-batch. Each objective returns `{ total, terms }`; the fit loop
 * differentiates `total` only with respect to that step's parameter group, so every other module
 * is fixed during the step.
 */
import { stableSoftplus, stopGradient, tf } from "@cmh/tensor-core";
import type { GeneratorLoss, UCHConfig } from "./config";
import type { UCHNetworks } from "./network";

/**
 * Discriminator binary cross-entropy −mean log D(real) − mean log(1 − D(fake)) from logits
 * (the negated adversarial loss of eqs. 4, 5, 10, 11, which steps 16/18 maximise).
 */
export function discriminatorBce(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        tf.mean(stableSoftplus(tf.neg(realLogits))),
        tf.mean(stableSoftplus(fakeLogits)),
      ) as tf.Scalar,
  );
}

/**
 * Generator adversarial loss from the fake samples' logits: non-saturating −mean log D(fake)
 * (default), or the literal minimax term mean log(1 − D(fake)).
 */
export function generatorAdversarial(fakeLogits: tf.Tensor, mode: GeneratorLoss): tf.Scalar {
  return tf.tidy(() =>
    mode === "non-saturating"
      ? (tf.mean(stableSoftplus(tf.neg(fakeLogits))) as tf.Scalar)
      : (tf.neg(tf.mean(stableSoftplus(fakeLogits))) as tf.Scalar),
  );
}

/**
 * (1/n) Σ_i ||a_i − b_i||²: squared-L2 distance per row, averaged over the rows ("sum"); with
 * "mean" each row's squared distance is divided by the width (per-element MSE).
 */
export function rowSquaredDistance(
  a: tf.Tensor,
  b: tf.Tensor,
  reduction: "sum" | "mean" = "sum",
): tf.Scalar {
  if (a.shape.join() !== b.shape.join())
    throw new RangeError(`UCH: shape mismatch ${a.shape} vs ${b.shape}`);
  return tf.tidy(() => {
    const d = tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1)) as tf.Scalar;
    return reduction === "sum" ? d : (tf.div(d, a.shape[1] ?? 1) as tf.Scalar);
  });
}

/** Paired similarity (eqs. 7, 13): (1/n) Σ_i ||x^I_i − x^T_i||² (symmetric in I/T). */
export function pairedSimilarity(
  xi: tf.Tensor,
  xt: tf.Tensor,
  reduction: "sum" | "mean" = "sum",
): tf.Scalar {
  return rowSquaredDistance(xi, xt, reduction);
}

/** A generator as a function of a batch. */
export type GeneratorFn = (x: tf.Tensor) => tf.Tensor;

/**
 * Cycle reconstruction (eqs. 6, 12): (1/n) Σ_i ||a_i − G_{B→A}(G_{A→B}(a_i))||² +
 * ||b_i − G_{A→B}(G_{B→A}(b_i))||². `targetA` / `targetB` (default: a / b) are the targets, e.g.
 * stop-gradient copies. Zero when the two generators are exact inverses.
 */
export function cycleReconstruction(
  a: tf.Tensor,
  b: tf.Tensor,
  gAB: GeneratorFn,
  gBA: GeneratorFn,
  targetA: tf.Tensor = a,
  targetB: tf.Tensor = b,
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.add(
        rowSquaredDistance(targetA, gBA(gAB(a))),
        rowSquaredDistance(targetB, gAB(gBA(b))),
      ) as tf.Scalar,
  );
}

/**
 * Variance floor (VICReg, Bardes et al. 2022; NOT in the UCH paper): Σ_j max(0, γ − √(Var_j + ε))
 * over the columns of a batch (divided by the width with "mean"). Zero once every column's std
 * reaches γ; a constant column costs γ. The counterweight that stops the paired squared-L2 terms
 * from collapsing their space to a point.
 */
export function varianceFloor(
  x: tf.Tensor,
  target = 1,
  reduction: "sum" | "mean" = "sum",
  eps = 1e-4,
): tf.Scalar {
  return tf.tidy(() => {
    const std = tf.sqrt(tf.add(tf.moments(x, 0).variance, eps));
    const s = tf.sum(tf.relu(tf.sub(target, std))) as tf.Scalar;
    return reduction === "sum" ? s : (tf.div(s, x.shape[1] ?? 1) as tf.Scalar);
  });
}

/**
 * Covariance penalty (VICReg; NOT in the UCH paper): Σ_{i≠j} C_ij² of the batch covariance of the
 * columns (divided by the width with "mean"). Zero when the columns are uncorrelated, so the
 * dimensions of a space cannot all carry the same direction.
 */
export function offDiagonalCovariance(x: tf.Tensor, reduction: "sum" | "mean" = "sum"): tf.Scalar {
  return tf.tidy(() => {
    const n = x.shape[0] ?? 1;
    if (n < 2) throw new RangeError("UCH: the covariance penalty needs a batch of at least 2 rows");
    const xc = tf.sub(x, tf.mean(x, 0));
    const cov = tf.div(tf.matMul(xc, xc, true, false), n - 1);
    const diag = tf.div(tf.sum(tf.square(xc), 0), n - 1);
    const s = tf.sub(tf.sum(tf.square(cov)), tf.sum(tf.square(diag))) as tf.Scalar;
    return reduction === "sum" ? s : (tf.div(s, x.shape[1] ?? 1) as tf.Scalar);
  });
}

/** Bit balance Σ_k (mean_i h_ik)² (NOT in the paper): zero when every bit is balanced over the batch. */
export function bitBalance(h: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.square(tf.mean(h, 0))) as tf.Scalar);
}

/** Quantisation (1/n) Σ_i Σ_k (|h_ik| − 1)² (NOT in the paper): zero when every entry is ±1. */
export function quantization(h: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(tf.abs(h), 1)), 1)) as tf.Scalar);
}

/** A loss value with its named parts. */
export interface StepLoss {
  readonly total: tf.Scalar;
  readonly terms: Record<string, tf.Scalar>;
}

/** The config keys the loss objectives read. */
export type UCHLossConfig = Pick<
  UCHConfig,
  | "generatorLoss"
  | "lossReduction"
  | "weightAdv"
  | "weightRec"
  | "weightSim"
  | "weightBalance"
  | "weightQuant"
  | "weightVariance"
  | "weightCovariance"
  | "varianceTarget"
  | "hashGradIntoOuter"
  | "detachTargets"
>;

/**
 * Optional VICReg terms (not in the paper) on a pair of spaces, pushed onto `parts` / `terms`
 * under `<prefix>Var` and `<prefix>Cov` when their weights are > 0.
 */
function addSpreadTerms(
  prefix: string,
  a: tf.Tensor,
  b: tf.Tensor,
  c: UCHLossConfig,
  parts: tf.Tensor[],
  terms: Record<string, tf.Scalar>,
): void {
  if (c.weightVariance > 0) {
    const v = tf.add(
      varianceFloor(a, c.varianceTarget, c.lossReduction),
      varianceFloor(b, c.varianceTarget, c.lossReduction),
    ) as tf.Scalar;
    parts.push(tf.mul(v, c.weightVariance));
    terms[`${prefix}Var`] = v;
  }
  if (c.weightCovariance > 0) {
    const v = tf.add(
      offDiagonalCovariance(a, c.lossReduction),
      offDiagonalCovariance(b, c.lossReduction),
    ) as tf.Scalar;
    parts.push(tf.mul(v, c.weightCovariance));
    terms[`${prefix}Cov`] = v;
  }
}

/** Step (16): BCE of D^f_I, D^f_T on real F^I/F^T vs fake F̂^I/F̂^T (fakes detached). */
export function outerDiscriminatorLoss(nets: UCHNetworks, v: tf.Tensor, t: tf.Tensor): StepLoss {
  const fi = stopGradient(nets.imageFeatures(v));
  const ft = stopGradient(nets.textFeatures(t));
  const fakeT = stopGradient(nets.gfIT.apply(fi));
  const zt = nets.gfTI.enc.apply(ft);
  let fakeI = nets.gfTI.dec.apply(zt);
  if (nets.imageOutputRelu) fakeI = tf.relu(fakeI);
  fakeI = stopGradient(fakeI);
  const dI = discriminatorBce(nets.dfI.apply(fi), nets.dfI.apply(fakeI));
  const dT = discriminatorBce(nets.dfT.apply(ft), nets.dfT.apply(fakeT));
  return { total: tf.add(dI, dT) as tf.Scalar, terms: { dfI: dI, dfT: dT } };
}

/** Step (17): L_f = adv + rec + sim of the outer cycle (eq. 8), for E and G^f. */
export function outerGeneratorLoss(
  nets: UCHNetworks,
  v: tf.Tensor,
  t: tf.Tensor,
  c: UCHLossConfig,
): StepLoss {
  const o = nets.outer(v, t);
  const adv = tf.add(
    generatorAdversarial(nets.dfI.apply(o.fakeI), c.generatorLoss),
    generatorAdversarial(nets.dfT.apply(o.fakeT), c.generatorLoss),
  ) as tf.Scalar;
  const tgtI = c.detachTargets ? stopGradient(o.fi) : o.fi;
  const tgtT = c.detachTargets ? stopGradient(o.ft) : o.ft;
  const rec = tf.add(
    rowSquaredDistance(tgtI, o.recI, c.lossReduction),
    rowSquaredDistance(tgtT, o.recT, c.lossReduction),
  ) as tf.Scalar;
  const sim = pairedSimilarity(o.zi, o.zt, c.lossReduction);
  const parts = [tf.mul(adv, c.weightAdv), tf.mul(rec, c.weightRec), tf.mul(sim, c.weightSim)];
  const terms: Record<string, tf.Scalar> = { fAdv: adv, fRec: rec, fSim: sim };
  addSpreadTerms("f", o.zi, o.zt, c, parts, terms);
  if (c.hashGradIntoOuter) {
    // Optional two-way coupling (spec §5): L^z_sim also updates E and enc^f.
    const hsim = pairedSimilarity(
      nets.gzIT.enc.apply(o.zi),
      nets.gzTI.enc.apply(o.zt),
      c.lossReduction,
    );
    parts.push(tf.mul(hsim, c.weightSim));
    terms.fHashSim = hsim;
  }
  return { total: tf.addN(parts) as tf.Scalar, terms };
}

/** Z^I, Z^T with stop-gradient (the inner cycle never updates E or G^f, spec §5). */
function detachedCommon(nets: UCHNetworks, v: tf.Tensor, t: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return [stopGradient(nets.common("image", v)), stopGradient(nets.common("text", t))];
}

/** Step (18): BCE of D^z_I, D^z_T on real Z^I/Z^T vs fake Ẑ^I/Ẑ^T (all detached). */
export function innerDiscriminatorLoss(nets: UCHNetworks, v: tf.Tensor, t: tf.Tensor): StepLoss {
  const [zi, zt] = detachedCommon(nets, v, t);
  const fakeZT = stopGradient(nets.gzIT.apply(zi));
  const fakeZI = stopGradient(nets.gzTI.apply(zt));
  const dI = discriminatorBce(nets.dzI.apply(zi), nets.dzI.apply(fakeZI));
  const dT = discriminatorBce(nets.dzT.apply(zt), nets.dzT.apply(fakeZT));
  return { total: tf.add(dI, dT) as tf.Scalar, terms: { dzI: dI, dzT: dT } };
}

/** Step (19): L_z = adv + rec + sim of the inner cycle (eq. 14), for G^z; Z is stop-gradient. */
export function innerGeneratorLoss(
  nets: UCHNetworks,
  v: tf.Tensor,
  t: tf.Tensor,
  c: UCHLossConfig,
): StepLoss {
  const [zi, zt] = detachedCommon(nets, v, t);
  const o = nets.inner(zi, zt);
  const adv = tf.add(
    generatorAdversarial(nets.dzI.apply(o.fakeZI), c.generatorLoss),
    generatorAdversarial(nets.dzT.apply(o.fakeZT), c.generatorLoss),
  ) as tf.Scalar;
  const rec = tf.add(
    rowSquaredDistance(zi, o.recZI, c.lossReduction),
    rowSquaredDistance(zt, o.recZT, c.lossReduction),
  ) as tf.Scalar;
  const sim = pairedSimilarity(o.hi, o.ht, c.lossReduction);
  const parts = [tf.mul(adv, c.weightAdv), tf.mul(rec, c.weightRec), tf.mul(sim, c.weightSim)];
  const terms: Record<string, tf.Scalar> = { zAdv: adv, zRec: rec, zSim: sim };
  addSpreadTerms("z", o.hi, o.ht, c, parts, terms);
  const perBit = c.lossReduction === "mean" ? 1 / (o.hi.shape[1] ?? 1) : 1;
  if (c.weightBalance > 0) {
    // Optional collapse guard (not in the paper): every bit's batch mean near 0.
    const bal = tf.mul(tf.add(bitBalance(o.hi), bitBalance(o.ht)), perBit) as tf.Scalar;
    parts.push(tf.mul(bal, c.weightBalance));
    terms.zBalance = bal;
  }
  if (c.weightQuant > 0) {
    // Optional collapse guard (not in the paper): |H| near 1, so H cannot shrink to 0.
    const q = tf.mul(tf.add(quantization(o.hi), quantization(o.ht)), perBit) as tf.Scalar;
    parts.push(tf.mul(q, c.weightQuant));
    terms.zQuant = q;
  }
  return { total: tf.addN(parts) as tf.Scalar, terms };
}
