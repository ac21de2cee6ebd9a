/**
 * The four alternating update objectives of UCH (spec §5, eqs. 16–19) as loss functions of one
 * mini-batch. Each returns `{ total, terms }`; the caller differentiates `total` only with respect
 * to that step's parameter group, so every other module is fixed during the step.
 */
import { stopGradient, tf } from "@cmh/tensor-core";
import type { UCHConfig } from "./config";
import {
  discriminatorBce,
  generatorAdversarial,
  offDiagonalCovariance,
  pairedSimilarity,
  rowSquaredDistance,
  varianceFloor,
} from "./losses";
import type { UCHNetworks } from "./network";

/** A loss value with its named parts. */
export interface StepLoss {
  readonly total: tf.Scalar;
  readonly terms: Record<string, tf.Scalar>;
}

type LossConfig = Pick<
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
  c: LossConfig,
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
  c: LossConfig,
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

/** Σ_k (mean_i h_ik)²: zero when every bit is balanced over the batch. */
export function bitBalance(h: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.square(tf.mean(h, 0))) as tf.Scalar);
}

/** (1/n) Σ_i Σ_k (|h_ik| − 1)²: zero when every entry is ±1. */
export function quantization(h: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(tf.abs(h), 1)), 1)) as tf.Scalar);
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
  c: LossConfig,
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
