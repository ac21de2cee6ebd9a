import { BatchNorm1d, Dense, type InitScheme, initVariable, type Rng, tf } from "@cmh/tensor-core";
import type { DSPAHConfig } from "./config";

type Named = Record<string, tf.Variable>;

function prefixed(prefix: string, w: Named): Named {
  const out: Named = {};
  for (const [k, v] of Object.entries(w)) out[`${prefix}.${k}`] = v;
  return out;
}

function denseWeights(d: Dense): Named {
  return d.namedWeights();
}

/** Batch norm over every axis but the last (BatchNorm2d semantics for [b, ..., C] tensors). */
function bnApply(bn: BatchNorm1d, x: tf.Tensor, training: boolean): tf.Tensor {
  const c = x.shape[x.shape.length - 1];
  return tf.tidy(() => tf.reshape(bn.apply(tf.reshape(x, [-1, c]), training), x.shape));
}

/**
 * Convolution along the width axis of a [b, W, Cin] map (a 1 x K conv on a height-1 feature map):
 * `weight` is [K * Cin, Cout]; `pad` zero columns on each side. Output [b, W + 2 pad - K + 1, Cout].
 */
export function widthConv(x: tf.Tensor, weight: tf.Tensor, k: number, pad = 0): tf.Tensor {
  return tf.tidy(() => {
    const [b, w0, cin] = x.shape;
    const xp =
      pad > 0
        ? tf.pad(x, [
            [0, 0],
            [pad, pad],
            [0, 0],
          ])
        : x;
    const wOut = w0 + 2 * pad - k + 1;
    if (wOut < 1) throw new RangeError(`widthConv: kernel ${k} is wider than the map (${w0})`);
    const windows =
      k === 1
        ? xp
        : tf.concat(
            Array.from({ length: k }, (_, i) => tf.slice(xp, [0, i, 0], [b, wOut, cin])),
            2,
          );
    const y = tf.matMul(
      tf.reshape(windows, [b * wOut, k * cin]) as tf.Tensor2D,
      weight as tf.Tensor2D,
    );
    return tf.reshape(y, [b, wOut, weight.shape[1] as number]);
  });
}

/**
 * CBAM channel attention: avg- and max-pooled descriptors over the spatial axis -> shared MLP
 * C -> C/r -> C (ReLU) -> sum -> sigmoid -> rescale. On a [b, C] vector (DSPAH-feat) both
 * descriptors are the vector itself.
 */
export class ChannelAttention {
  readonly fc1: Dense;
  readonly fc2: Dense;
  /** Shared MLP channels -> channels / reduction -> channels, initialised from `rng`. */
  constructor(channels: number, reduction: number, rng: Rng, init: InitScheme = "torch") {
    const hidden = Math.max(1, Math.floor(channels / reduction));
    this.fc1 = new Dense(channels, hidden, rng, { init, activation: "relu" });
    this.fc2 = new Dense(hidden, channels, rng, { init });
  }
  /** Rescale the channels of x ([b, C] or [b, W, C]). */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const avg = x.rank === 2 ? x : tf.mean(x, 1);
      const max = x.rank === 2 ? x : tf.max(x, 1);
      const att = tf.sigmoid(
        tf.add(this.fc2.apply(this.fc1.apply(avg)), this.fc2.apply(this.fc1.apply(max))),
      );
      return tf.mul(x, x.rank === 2 ? att : tf.expandDims(att, 1));
    });
  }
  /** The trainable variables, in a fixed order. */
  variables(): tf.Variable[] {
    return [...this.fc1.trainableVariables(), ...this.fc2.trainableVariables()];
  }
  /** Every weight (trainable or not) under a stable name, for save/load. */
  namedWeights(): Named {
    return {
      ...prefixed("fc1", denseWeights(this.fc1)),
      ...prefixed("fc2", denseWeights(this.fc2)),
    };
  }
}

/**
 * CBAM spatial attention on a height-1 map [b, W, C]: channel-wise mean and max -> 7-wide conv
 * (the only row of a 7x7 kernel that meets a zero-padded height-1 map) -> sigmoid -> rescale.
 */
export class SpatialAttention {
  readonly weight: tf.Variable;
  constructor(
    rng: Rng,
    init: InitScheme = "torch",
    readonly kernel = 7,
  ) {
    this.weight = initVariable(init, [kernel * 2, 1], rng, { fanIn: kernel * 2, fanOut: 1 });
  }
  /** Rescale `x` by its attention weights. Call inside a tidy. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const desc = tf.stack([tf.mean(x, 2), tf.max(x, 2)], 2);
      const att = tf.sigmoid(widthConv(desc, this.weight, this.kernel, (this.kernel - 1) / 2));
      return tf.mul(x, att);
    });
  }
}

/**
 * Cross-level fusion (the paper's "adaptive attention matrix"): f = tanh(Σ_k A[k,:] ⊙ h_k) with A
 * [levels, c], init N(0.25, (1/c)^2) (SCAHN); "mean" fixes A = 1/levels, "last" uses the deepest level.
 */
export class LevelFusion {
  readonly weight: tf.Variable;
  constructor(
    readonly levels: number,
    readonly bits: number,
    rng: Rng,
    readonly mode: DSPAHConfig["fusion"] = "attention",
  ) {
    if (mode === "attention") {
      this.weight = initVariable({ normal: 1 / bits, mean: 0.25 }, [levels, bits], rng);
    } else {
      const a = new Float32Array(levels * bits);
      if (mode === "mean") a.fill(1 / levels);
      else a.fill(1, (levels - 1) * bits);
      this.weight = tf.variable(tf.tensor2d(a, [levels, bits]), false);
    }
  }
  /** Fuse per-level representations h_k [b, c] into f [b, c] in (-1, 1). */
  apply(hs: readonly tf.Tensor[]): tf.Tensor2D {
    if (hs.length !== this.levels)
      throw new RangeError(`LevelFusion: expected ${this.levels} levels, got ${hs.length}`);
    return tf.tidy(() => {
      const rows = tf.unstack(this.weight);
      return tf.tanh(tf.addN(hs.map((h, k) => tf.mul(h, rows[k])))) as tf.Tensor2D;
    });
  }
  /** The trainable variables, in a fixed order. */
  variables(): tf.Variable[] {
    return this.mode === "attention" ? [this.weight] : [];
  }
}

/** What a modality network returns. */
export interface NetOutput {
  /** Fused representation f (or g), [b, c] in (-1, 1). */
  readonly out: tf.Tensor2D;
  /** Per-level hash representations h_k, [b, c] each. */
  readonly levels: tf.Tensor2D[];
  /** Intermediate feature maps per level (image: [b, h_k]; text: [b, W_k, C_k]). */
  readonly stages: tf.Tensor[];
}

/** Options shared by the two networks. */
export interface NetOptions {
  readonly bits: number;
  readonly cbam: boolean;
  readonly reduction: number;
  readonly fusion: DSPAHConfig["fusion"];
}

/**
 * DSPAH-feat image network (spec section 8): four MLP levels (Linear -> BN -> ReLU -> CBAM
 * channel attention), a hash head BatchNorm -> Linear -> tanh on each level (SCAHN's head
 * without the GAP), per-bit level fusion.
 */
export class ImageNet {
  readonly layers: Dense[] = [];
  readonly norms: BatchNorm1d[] = [];
  readonly attention: (ChannelAttention | null)[] = [];
  readonly heads: Dense[] = [];
  readonly headNorms: BatchNorm1d[] = [];
  readonly fusion: LevelFusion;

  constructor(
    inDim: number,
    hidden: readonly number[],
    rng: Rng,
    readonly options: NetOptions,
  ) {
    let prev = inDim;
    for (const h of hidden) {
      this.layers.push(new Dense(prev, h, rng));
      this.norms.push(new BatchNorm1d(h));
      this.attention.push(options.cbam ? new ChannelAttention(h, options.reduction, rng) : null);
      this.headNorms.push(new BatchNorm1d(h));
      this.heads.push(
        new Dense(h, options.bits, rng, { init: { normal: 0.01 }, biasInit: "zeros" }),
      );
      prev = h;
    }
    this.fusion = new LevelFusion(hidden.length, options.bits, rng, options.fusion);
  }

  /** Forward pass; `training` uses batch statistics in BN. Call inside a tidy. */
  forward(x: tf.Tensor2D, training: boolean): NetOutput {
    const stages: tf.Tensor[] = [];
    const levels: tf.Tensor2D[] = [];
    let z: tf.Tensor = x;
    for (let k = 0; k < this.layers.length; k++) {
      z = tf.relu(this.norms[k].apply(this.layers[k].apply(z), training));
      const att = this.attention[k];
      if (att) z = att.apply(z);
      stages.push(z);
      const hz = this.headNorms[k].apply(z, training);
      levels.push(tf.tanh(this.heads[k].apply(hz)) as tf.Tensor2D);
    }
    return { out: this.fusion.apply(levels), levels, stages };
  }

  /** The trainable variables, in a fixed order. */
  variables(): tf.Variable[] {
    return [
      ...this.layers.flatMap((l) => l.trainableVariables()),
      ...this.norms.flatMap((l) => l.trainableVariables()),
      ...this.attention.flatMap((a) => (a ? a.variables() : [])),
      ...this.headNorms.flatMap((l) => l.trainableVariables()),
      ...this.heads.flatMap((l) => l.trainableVariables()),
      ...this.fusion.variables(),
    ];
  }

  /** Every weight (trainable or not) under a stable name, for save/load. */
  namedWeights(): Named {
    const w: Named = { "fusion.weight": this.fusion.weight };
    this.layers.forEach((l, k) => {
      Object.assign(w, prefixed(`level${k}.linear`, denseWeights(l)));
      Object.assign(w, prefixed(`level${k}.bn`, this.norms[k].namedWeights()));
      const a = this.attention[k];
      if (a) Object.assign(w, prefixed(`level${k}.cbam`, a.namedWeights()));
      Object.assign(w, prefixed(`level${k}.headBn`, this.headNorms[k].namedWeights()));
      Object.assign(w, prefixed(`level${k}.head`, denseWeights(this.heads[k])));
    });
    return w;
  }
}

/** One residual "release" block of the text network (SCAHN MSText.py), on [b, W, C] maps. */
class ReleaseBlock {
  readonly conv1: tf.Variable;
  readonly bn1: BatchNorm1d;
  readonly conv2: tf.Variable;
  readonly bn2: BatchNorm1d;
  readonly shortcut: tf.Variable;
  readonly bnS: BatchNorm1d;
  constructor(
    readonly cin: number,
    readonly cout: number,
    /** Kernel of conv2 and the shortcut along the width (R2..R4); for R1 the word-axis height d_t. */
    readonly k: number,
    readonly first: boolean,
    rng: Rng,
    init: InitScheme,
    /** R1 only: collapse the word axis before the 1x3 conv (cheap; a departure, see README). */
    readonly light = false,
  ) {
    const v = (rows: number, cols: number) => initVariable(init, [rows, cols], rng);
    const lightR1 = first && light;
    this.conv1 = lightR1 ? v(3 * cout, cout) : v(3 * cin, cout);
    this.bn1 = new BatchNorm1d(cout);
    this.conv2 = lightR1 ? v(k * cin, cout) : v(k * cout, cout);
    this.bn2 = new BatchNorm1d(cout);
    this.shortcut = v(k * cin, cout);
    this.bnS = new BatchNorm1d(cout);
  }

  /**
   * Light R1 from its word-axis products: `p` [b, W, 2 C] holds, per width column of the
   * multi-scale matrix, the column times `conv2` (first C channels) and times `shortcut` (last C)
   * (see `TextNet.lightR1Products`). Then BN -> ReLU -> 1x3 conv -> BN, plus the BN'd shortcut, ReLU.
   */
  applyLight(p: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      const [b, w] = p.shape;
      const collapsed = tf.slice(p, [0, 0, 0], [b, w, this.cout]);
      const h = tf.relu(bnApply(this.bn1, collapsed, training));
      const main = bnApply(this.bn2, widthConv(h, this.conv1, 3, 1), training);
      const sc = bnApply(this.bnS, tf.slice(p, [0, 0, this.cout], [b, w, this.cout]), training);
      return tf.relu(tf.add(main, sc));
    });
  }

  /** Full R1: x is the multi-scale matrix [b, d, W] (one input channel); R2..R4: x is [b, W, C]. */
  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    if (this.first && this.light)
      throw new Error("ReleaseBlock: the light R1 block runs applyLight");
    return tf.tidy(() => {
      if (this.first) {
        const [b, d, w] = x.shape;
        // conv(1x3, width padding) 1 -> C on every word row: [b, d, W, C].
        const xp = tf.pad(x, [
          [0, 0],
          [0, 0],
          [1, 1],
        ]);
        const win = tf.stack(
          [0, 1, 2].map((i) => tf.slice(xp, [0, 0, i], [b, d, w])),
          3,
        );
        let h = tf.matMul(
          tf.reshape(win, [b * d * w, 3]) as tf.Tensor2D,
          this.conv1 as tf.Tensor2D,
        );
        h = tf.relu(this.bn1.apply(h, training)) as tf.Tensor2D;
        // conv(d x 1) C -> C collapses the word axis: [b, W, C].
        const hw = tf.reshape(tf.transpose(tf.reshape(h, [b, d, w, this.cout]), [0, 2, 1, 3]), [
          b * w,
          d * this.cout,
        ]);
        const main = this.bn2.apply(
          tf.matMul(hw as tf.Tensor2D, this.conv2 as tf.Tensor2D),
          training,
        );
        const xs = tf.reshape(tf.transpose(x, [0, 2, 1]), [b * w, d]);
        const sc = this.bnS.apply(
          tf.matMul(xs as tf.Tensor2D, this.shortcut as tf.Tensor2D),
          training,
        );
        return tf.reshape(tf.relu(tf.add(main, sc)), [b, w, this.cout]);
      }
      let h = widthConv(x, this.conv1, 3, 1);
      h = tf.relu(bnApply(this.bn1, h, training));
      const main = bnApply(this.bn2, widthConv(h, this.conv2, this.k), training);
      const sc = bnApply(this.bnS, widthConv(x, this.shortcut, this.k), training);
      return tf.relu(tf.add(main, sc));
    });
  }

  /** The trainable variables, in a fixed order. */
  variables(): tf.Variable[] {
    return [
      this.conv1,
      this.conv2,
      this.shortcut,
      ...this.bn1.trainableVariables(),
      ...this.bn2.trainableVariables(),
      ...this.bnS.trainableVariables(),
    ];
  }

  /** Every weight (trainable or not) under a stable name, for save/load. */
  namedWeights(): Named {
    return {
      conv1: this.conv1,
      conv2: this.conv2,
      shortcut: this.shortcut,
      ...prefixed("bn1", this.bn1.namedWeights()),
      ...prefixed("bn2", this.bn2.namedWeights()),
      ...prefixed("bnS", this.bnS.namedWeights()),
    };
  }
}

/** LocalResponseNorm across channels of [b, C] as PyTorch (size 2, alpha 1e-4, beta 0.75, k 1). */
export function localResponseNorm(
  x: tf.Tensor2D,
  size = 2,
  alpha = 1e-4,
  beta = 0.75,
  k = 1,
): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.square(x);
    const c = x.shape[1];
    const before = Math.floor(size / 2);
    const after = Math.floor((size - 1) / 2);
    const padded = tf.pad(sq, [
      [0, 0],
      [before, after],
    ]);
    let sum: tf.Tensor = tf.zerosLike(sq);
    for (let i = 0; i < size; i++) sum = tf.add(sum, tf.slice(padded, [0, i], [-1, c]));
    return tf.div(x, tf.pow(tf.add(tf.mul(sum, alpha / size), k), beta)) as tf.Tensor2D;
  });
}

/** Effective pooling size and bin count of one multi-scale level for a d-long BoW (floor, as SCAHN). */
export function scaleBins(d: number, scale: number): { size: number; bins: number } {
  const size = Math.min(scale, d);
  return { size, bins: Math.floor(d / size) };
}

/**
 * The multi-scale BoW text network (spec section 3.2): average pooling of the BoW at several
 * sizes -> 1x1 conv -> ReLU -> nearest resize to d_t, stacked with the raw BoW into a d_t x (1+S)
 * matrix; four residual release blocks (R1 collapses the word axis) with CBAM; a hash head
 * (conv over the width -> ReLU -> LRN -> 1x1 conv -> tanh) on each; per-bit level fusion.
 * Layout: maps are [b, W, C] (TF's NHWC with the height-1 axis dropped).
 */
export class TextNet {
  readonly scaleWeights: tf.Variable;
  readonly blocks: ReleaseBlock[] = [];
  readonly channelAtt: (ChannelAttention | null)[] = [];
  readonly spatialAtt: (SpatialAttention | null)[] = [];
  readonly heads: { conv: Dense; out: Dense }[] = [];
  readonly widths: number[] = [];
  readonly fusion: LevelFusion;

  constructor(
    readonly inDim: number,
    readonly scales: readonly number[],
    channels: readonly number[],
    headHidden: number,
    rng: Rng,
    readonly options: NetOptions & { readonly init: InitScheme; readonly lightR1?: boolean },
  ) {
    const init = options.init;
    // One 1x1 conv (weight, bias) per scale; bias 0.
    const wInit = initVariable(init, [scales.length], rng, { fanIn: 1, fanOut: 1 });
    this.scaleWeights = tf.tidy(() =>
      tf.variable(tf.stack([wInit, tf.zeros([scales.length])], 1), true),
    );
    wInit.dispose();
    const w0 = 1 + scales.length;
    if (w0 < 5)
      throw new RangeError(`TextNet: needs at least 4 pooling scales, got ${scales.length}`);
    // Widths: R1 keeps w0; R2, R3 use kernel 3; R4 collapses what is left to width 1.
    const widths = [w0, w0 - 2, w0 - 4, 1];
    const kernels = [inDim, 3, 3, w0 - 4];
    let cin = 1;
    for (let i = 0; i < 4; i++) {
      const cout = channels[i];
      this.blocks.push(
        new ReleaseBlock(cin, cout, kernels[i], i === 0, rng, init, options.lightR1 ?? false),
      );
      this.channelAtt.push(
        options.cbam ? new ChannelAttention(cout, options.reduction, rng, init) : null,
      );
      this.spatialAtt.push(options.cbam ? new SpatialAttention(rng, init) : null);
      this.heads.push({
        conv: new Dense(widths[i] * cout, headHidden, rng, {
          init,
          biasInit: "zeros",
          activation: "relu",
        }),
        out: new Dense(headHidden, options.bits, rng, { init, biasInit: "zeros" }),
      });
      cin = cout;
    }
    this.widths = widths;
    this.fusion = new LevelFusion(4, options.bits, rng, options.fusion);
  }

  /** The multi-scale matrix [b, d_t, 1 + S]: the raw BoW and each pooled, resized scale. */
  multiScale(t: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, d] = t.shape;
      const cols: tf.Tensor[] = [t];
      const wb = tf.unstack(this.scaleWeights);
      this.scales.forEach((s, i) => {
        const { size, bins } = scaleBins(d, s);
        const pooled = tf.mean(
          tf.reshape(tf.slice(t, [0, 0], [b, bins * size]), [b, bins, size]),
          2,
        );
        const [w, bias] = tf.unstack(wb[i]);
        const y = tf.relu(tf.add(tf.mul(pooled, w), bias));
        const up = tf.image.resizeNearestNeighbor(tf.reshape(y, [b, bins, 1, 1]) as tf.Tensor4D, [
          d,
          1,
        ]);
        cols.push(tf.reshape(up, [b, d]));
      });
      return tf.stack(cols, 2) as tf.Tensor3D;
    });
  }

  /**
   * The segment-sum matrix of the nearest resizes, [Σ bins, d] (0/1): row `offset_s + j` marks the
   * word rows that nearest-resize back to bin j of scale s. Taken from the backend's own
   * `resizeNearestNeighbor` on the bin indices, so it is the row map the resize uses. Cached.
   */
  private segments(d: number): { matrix: Float32Array; offsets: number[]; total: number } {
    if (this.segmentCache?.d === d) return this.segmentCache;
    const bins = this.scales.map((s) => scaleBins(d, s).bins);
    const offsets: number[] = [];
    let total = 0;
    for (const n of bins) {
      offsets.push(total);
      total += n;
    }
    const matrix = new Float32Array(total * d);
    bins.forEach((n, i) => {
      const src = tf.tidy(() =>
        tf.image
          .resizeNearestNeighbor(
            tf.reshape(tf.range(0, n, 1, "float32"), [1, n, 1, 1]) as tf.Tensor4D,
            [d, 1],
          )
          .dataSync(),
      );
      for (let r = 0; r < d; r++) matrix[(offsets[i] + src[r]) * d + r] = 1;
    });
    this.segmentCache = { d, matrix, offsets, total };
    return this.segmentCache;
  }

  private segmentCache?: { d: number; matrix: Float32Array; offsets: number[]; total: number };

  /**
   * The light R1 block's word-axis products of the multi-scale matrix, [b, 1 + S, 2 C1]: column w
   * of the d_t x (1+S) matrix times [conv2 | shortcut] ([d_t, 2 C1]). Computed without the matrix
   * (exactly the same products up to float rounding): column 0 is the BoW itself; column s is a
   * nearest-resized pooled vector, constant on the word rows that copy one bin, so its product is
   * the pooled (1x1 conv, ReLU) bins times the per-bin sums of the weight rows (segment sums).
   */
  lightR1Products(t: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, d] = t.shape;
      const block = this.blocks[0];
      const c2 = 2 * block.cout;
      const seg = this.segments(d);
      const wcat = tf.concat([block.conv2, block.shortcut], 1) as tf.Tensor2D;
      const segW = tf.matMul(tf.tensor2d(seg.matrix, [seg.total, d]), wcat);
      const t4 = tf.reshape(t, [b, d, 1, 1]) as tf.Tensor4D;
      const wb = tf.unstack(this.scaleWeights);
      const cols: tf.Tensor[] = [tf.matMul(t, wcat)];
      this.scales.forEach((s, i) => {
        const { size, bins } = scaleBins(d, s);
        const pooled = tf.reshape(tf.avgPool(t4, [size, 1], [size, 1], "valid"), [b, bins]);
        const [w, bias] = tf.unstack(wb[i]);
        const y = tf.relu(tf.add(tf.mul(pooled, w), bias)) as tf.Tensor2D;
        cols.push(tf.matMul(y, tf.slice(segW, [seg.offsets[i], 0], [bins, c2]) as tf.Tensor2D));
      });
      return tf.stack(cols, 1) as tf.Tensor3D;
    });
  }

  /** Forward pass; `training` uses batch statistics in BN. Call inside a tidy. */
  forward(t: tf.Tensor2D, training: boolean): NetOutput {
    const b = t.shape[0];
    const stages: tf.Tensor[] = [];
    const levels: tf.Tensor2D[] = [];
    const light = this.blocks[0].light;
    let z: tf.Tensor = light ? this.lightR1Products(t) : this.multiScale(t);
    for (let i = 0; i < 4; i++) {
      z =
        light && i === 0
          ? this.blocks[0].applyLight(z, training)
          : this.blocks[i].apply(z, training);
      const ca = this.channelAtt[i];
      const sa = this.spatialAtt[i];
      if (ca) z = ca.apply(z);
      if (sa) z = sa.apply(z);
      stages.push(z);
      const { conv, out } = this.heads[i];
      const hidden = localResponseNorm(conv.apply(tf.reshape(z, [b, -1])) as tf.Tensor2D);
      levels.push(tf.tanh(out.apply(hidden)) as tf.Tensor2D);
    }
    return { out: this.fusion.apply(levels), levels, stages };
  }

  /** The trainable variables, in a fixed order. */
  variables(): tf.Variable[] {
    return [
      this.scaleWeights,
      ...this.blocks.flatMap((bl) => bl.variables()),
      ...this.channelAtt.flatMap((a) => (a ? a.variables() : [])),
      ...this.spatialAtt.flatMap((a) => (a ? [a.weight] : [])),
      ...this.heads.flatMap((h) => [...h.conv.trainableVariables(), ...h.out.trainableVariables()]),
      ...this.fusion.variables(),
    ];
  }

  /** Every weight (trainable or not) under a stable name, for save/load. */
  namedWeights(): Named {
    const w: Named = { "fusion.weight": this.fusion.weight, scales: this.scaleWeights };
    this.blocks.forEach((bl, i) => {
      Object.assign(w, prefixed(`block${i}`, bl.namedWeights()));
      const ca = this.channelAtt[i];
      if (ca) Object.assign(w, prefixed(`block${i}.cbam.channel`, ca.namedWeights()));
      const sa = this.spatialAtt[i];
      if (sa) w[`block${i}.cbam.spatial`] = sa.weight;
      Object.assign(w, prefixed(`head${i}.conv`, denseWeights(this.heads[i].conv)));
      Object.assign(w, prefixed(`head${i}.out`, denseWeights(this.heads[i].out)));
    });
    return w;
  }
}

/** Dispose every variable of a named-weight map. */
export function disposeWeights(w: Named): void {
  for (const v of Object.values(w)) if (!v.isDisposed) v.dispose();
}
