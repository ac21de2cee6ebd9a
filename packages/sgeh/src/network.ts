// SGEH's networks (spec §3): ImgNet and TxtNet, `Linear → ReLU → Dropout → Linear` hash networks with
// PyTorch's initialisation (TxtNet's last layer N(0, 0.3²)), and the code discriminator d.

import { type InputDims, Mlp, type Rng, scaledTanh, type tf } from "@cmh/tensor-core";
import type { SGEHConfig } from "./config";

/** The three networks: the two hash networks and the discriminator of the code prior. */
export interface SGEHNetworks {
  readonly image: Mlp;
  readonly text: Mlp;
  readonly disc: Mlp;
}

/**
 * Build ImgNet, TxtNet and the discriminator (bits → discHidden → 1 logit), in that order from `rng`
 * (spec §3.1, §3.3).
 */
export function buildNetworks(
  dims: InputDims,
  c: Pick<SGEHConfig, "hidden" | "bits" | "dropout" | "textLastInitStd" | "discHidden">,
  rng: Rng,
): SGEHNetworks {
  const { hidden, bits, dropout, textLastInitStd, discHidden } = c;
  const image = new Mlp([dims.image, hidden, bits], rng, { dropout, biasInit: "torch" });
  const text = new Mlp([dims.text, hidden, bits], rng, {
    dropout,
    init: ["torch", { normal: textLastInitStd }],
    biasInit: "torch",
  });
  const disc = new Mlp([bits, discHidden, 1], rng, { biasInit: "torch" });
  return { image, text, disc };
}

/** Relaxed codes B = tanh(β·Y) of a hash network in training mode (paper Eq. 24; dropout on). */
export function relaxedCodes(net: Mlp, x: tf.Tensor2D, beta: number): tf.Tensor2D {
  return scaledTanh(net.apply(x, true), beta) as tf.Tensor2D;
}
