/**
 * UCH networks [reconstructed, spec §3]: text embedding E_T, optional image encoder E_I, the
 * outer CycleGAN (G^f_{I→T}, G^f_{T→I} as enc/dec halves with the common representation Z at the
 * middle, D^f_I, D^f_T) and the inner CycleGAN (G^z_{I→T}, G^z_{T→I} with the K-unit tanh hash
 * layer H at the middle, D^z_I, D^z_T).
 */
import { Dense, type Layer, Mlp, prefixWeights, type Rng, tf } from "@cmh/tensor-core";
import type { UCHConfig } from "./config";

/** Widths the networks are built for. */
export interface UCHDims {
  readonly image: number;
  readonly text: number;
}

/** Everything one outer-cycle forward pass produces (spec §4, eq. 2 and eq. 6). */
export interface OuterForward {
  /** Image features F^I [n, d_I]. */
  readonly fi: tf.Tensor;
  /** Text features F^T = E_T(t) [n, 300]. */
  readonly ft: tf.Tensor;
  /** Common representations Z^I, Z^T [n, d_z]. */
  readonly zi: tf.Tensor;
  readonly zt: tf.Tensor;
  /** Fake text feature F̂^T = G^f_{I→T}(F^I), fake image feature F̂^I = G^f_{T→I}(F^T). */
  readonly fakeT: tf.Tensor;
  readonly fakeI: tf.Tensor;
  /** Cycle reconstructions G^f_{T→I}(F̂^T) ≈ F^I and G^f_{I→T}(F̂^I) ≈ F^T. */
  readonly recI: tf.Tensor;
  readonly recT: tf.Tensor;
}

/** Everything one inner-cycle forward pass produces (eq. 9 and eq. 12). */
export interface InnerForward {
  /** Hash-layer outputs H^I, H^T in (−1, 1) [n, K]. */
  readonly hi: tf.Tensor;
  readonly ht: tf.Tensor;
  /** Fake common representations Ẑ^T = G^z_{I→T}(Z^I), Ẑ^I = G^z_{T→I}(Z^T) [n, d_z]. */
  readonly fakeZT: tf.Tensor;
  readonly fakeZI: tf.Tensor;
  /** Cycle reconstructions G^z_{T→I}(Ẑ^T) ≈ Z^I and G^z_{I→T}(Ẑ^I) ≈ Z^T. */
  readonly recZI: tf.Tensor;
  readonly recZT: tf.Tensor;
}

/** A generator split into its encoder half (to the middle layer) and decoder half. */
export class Generator {
  constructor(
    readonly enc: Mlp,
    readonly dec: Mlp,
  ) {}

  /** Full generator dec(enc(x)). */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.dec.apply(this.enc.apply(x)));
  }

  /** Trainable variables of both halves. */
  trainableVariables(): tf.Variable[] {
    return [...this.enc.trainableVariables(), ...this.dec.trainableVariables()];
  }

  /** Stable weight names (enc.*, dec.*). */
  namedWeights(): Record<string, tf.Variable> {
    return prefixWeights({ enc: this.enc, dec: this.dec });
  }

  /** Release the weights. */
  dispose(): void {
    this.enc.dispose();
    this.dec.dispose();
  }
}

/** All UCH modules, with the forward passes the four update steps use. */
export class UCHNetworks {
  /** E_I: null for the identity (UCH-feat default). */
  readonly imageEncoder: Dense | null;
  /** E_T: Linear(d_t → 300) + activation. */
  readonly textEmbed: Dense;
  /** G^f_{I→T}: enc = F^I → a → Z^I (tanh), dec = Z → a → F̂^T (E_T's activation). */
  readonly gfIT: Generator;
  /** G^f_{T→I}: enc = F^T → a → Z^T (tanh), dec = Z → a → F̂^I. */
  readonly gfTI: Generator;
  /** Whether F̂^I goes through a ReLU (post-ReLU fc7 features; resolved from the data for "auto"). */
  imageOutputRelu: boolean;
  /** D^f_I, D^f_T: 2 FC layers, logit output. */
  readonly dfI: Mlp;
  readonly dfT: Mlp;
  /** G^z_{I→T}: enc = Z^I → a' → H^I (K, tanh), dec = H → a' → Ẑ^T (tanh). */
  readonly gzIT: Generator;
  /** G^z_{T→I}: enc = Z^T → a' → H^T (K, tanh), dec = H → a' → Ẑ^I (tanh). */
  readonly gzTI: Generator;
  /** D^z_I, D^z_T: 2 FC layers, logit output. */
  readonly dzI: Mlp;
  readonly dzT: Mlp;

  constructor(
    readonly dims: UCHDims,
    config: UCHConfig,
    rng: Rng,
  ) {
    this.imageOutputRelu = config.imageOutputActivation === "relu";
    const c = config;
    const dI = dims.image;
    const dT = c.textEmbedDim;
    const K = c.bits;
    this.imageEncoder =
      c.imageEncoder === "dense"
        ? new Dense(dI, dI, rng, { activation: "relu", init: c.init })
        : null;
    this.textEmbed = new Dense(dims.text, dT, rng, { activation: c.textActivation, init: c.init });
    const half = (sizes: number[], out: "tanh" | "relu" | "linear") =>
      new Mlp(sizes, rng, { activation: "relu", outputActivation: out, init: c.init });
    this.gfIT = new Generator(
      half([dI, c.outerHidden, c.commonDim], "tanh"),
      half([c.commonDim, c.outerHidden, dT], c.textActivation),
    );
    this.gfTI = new Generator(
      half([dT, c.outerHidden, c.commonDim], "tanh"),
      half([c.commonDim, c.outerHidden, dI], "linear"),
    );
    const disc = (d: number, h: number) =>
      new Mlp([d, h, 1], rng, {
        activation: "leakyRelu",
        leakySlope: c.discLeakySlope,
        outputActivation: "linear",
        init: c.init,
      });
    this.dfI = disc(dI, c.outerDiscHidden);
    this.dfT = disc(dT, c.outerDiscHidden);
    this.gzIT = new Generator(
      half([c.commonDim, c.innerHidden, K], "tanh"),
      half([K, c.innerHidden, c.commonDim], "tanh"),
    );
    this.gzTI = new Generator(
      half([c.commonDim, c.innerHidden, K], "tanh"),
      half([K, c.innerHidden, c.commonDim], "tanh"),
    );
    this.dzI = disc(c.commonDim, c.innerDiscHidden);
    this.dzT = disc(c.commonDim, c.innerDiscHidden);
  }

  /** F^I = E_I(v) (identity for UCH-feat). */
  imageFeatures(v: tf.Tensor): tf.Tensor {
    return this.imageEncoder ? this.imageEncoder.apply(v) : v;
  }

  /** F^T = E_T(t). */
  textFeatures(t: tf.Tensor): tf.Tensor {
    return this.textEmbed.apply(t);
  }

  /** Outer cycle on a batch of raw inputs (image features v, BoW t). */
  outer(v: tf.Tensor, t: tf.Tensor): OuterForward {
    const fi = this.imageFeatures(v);
    const ft = this.textFeatures(t);
    const zi = this.gfIT.enc.apply(fi);
    const zt = this.gfTI.enc.apply(ft);
    const fakeT = this.gfIT.dec.apply(zi);
    const fakeI = this.fakeImage(zt);
    return {
      fi,
      ft,
      zi,
      zt,
      fakeT,
      fakeI,
      recI: this.textToImage(fakeT),
      recT: this.gfIT.apply(fakeI),
    };
  }

  /** G^f_{T→I}'s decoder half (+ ReLU when the image features are post-ReLU). */
  private fakeImage(z: tf.Tensor): tf.Tensor {
    const y = this.gfTI.dec.apply(z);
    return this.imageOutputRelu ? tf.relu(y) : y;
  }

  /** Full G^f_{T→I} (F^T → F̂^I). */
  private textToImage(ft: tf.Tensor): tf.Tensor {
    return this.fakeImage(this.gfTI.enc.apply(ft));
  }

  /** Inner cycle on common representations Z^I, Z^T. */
  inner(zi: tf.Tensor, zt: tf.Tensor): InnerForward {
    const hi = this.gzIT.enc.apply(zi);
    const ht = this.gzTI.enc.apply(zt);
    const fakeZT = this.gzIT.dec.apply(hi);
    const fakeZI = this.gzTI.dec.apply(ht);
    return {
      hi,
      ht,
      fakeZT,
      fakeZI,
      recZI: this.gzTI.apply(fakeZT),
      recZT: this.gzIT.apply(fakeZI),
    };
  }

  /** Common representation Z of one modality (encode path: E → enc^f). */
  common(modality: "image" | "text", x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      modality === "image"
        ? this.gfIT.enc.apply(this.imageFeatures(x))
        : this.gfTI.enc.apply(this.textFeatures(x)),
    );
  }

  /** Hash-layer output H of one modality (E → enc^f → enc^z); decoders and discriminators unused. */
  hash(modality: "image" | "text", x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = this.common(modality, x);
      return modality === "image" ? this.gzIT.enc.apply(z) : this.gzTI.enc.apply(z);
    });
  }

  /** Parameters updated in step (17): E_T, E_I (when trainable), G^f_{I→T}, G^f_{T→I}. */
  outerGeneratorVariables(): tf.Variable[] {
    return [
      ...(this.imageEncoder?.trainableVariables() ?? []),
      ...this.textEmbed.trainableVariables(),
      ...this.gfIT.trainableVariables(),
      ...this.gfTI.trainableVariables(),
    ];
  }

  /** Parameters updated in step (16): D^f_I, D^f_T. */
  outerDiscriminatorVariables(): tf.Variable[] {
    return [...this.dfI.trainableVariables(), ...this.dfT.trainableVariables()];
  }

  /** Parameters updated in step (19): G^z_{I→T}, G^z_{T→I} (hash layers included). */
  innerGeneratorVariables(): tf.Variable[] {
    return [...this.gzIT.trainableVariables(), ...this.gzTI.trainableVariables()];
  }

  /** Parameters updated in step (18): D^z_I, D^z_T. */
  innerDiscriminatorVariables(): tf.Variable[] {
    return [...this.dzI.trainableVariables(), ...this.dzT.trainableVariables()];
  }

  /** Every weight under a stable name (for save/load). */
  namedWeights(): Record<string, tf.Variable> {
    const parts: Record<string, Layer | Generator> = {
      textEmbed: this.textEmbed,
      gfIT: this.gfIT,
      gfTI: this.gfTI,
      dfI: this.dfI,
      dfT: this.dfT,
      gzIT: this.gzIT,
      gzTI: this.gzTI,
      dzI: this.dzI,
      dzT: this.dzT,
    };
    if (this.imageEncoder) parts.imageEncoder = this.imageEncoder;
    return prefixWeights(parts);
  }

  /** Release every weight. */
  dispose(): void {
    for (const v of Object.values(this.namedWeights())) v.dispose();
  }
}
