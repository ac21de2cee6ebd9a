import type { CrossModalSet, Matrix } from "@cmh/datasets";
import {
  Adam,
  BaseHasher,
  backendName,
  batchIndices,
  epochScale,
  type FitContext,
  gatherRows,
  type InitScheme,
  type InputDims,
  linearLr,
  type Modality,
  matrixTensor,
  type PaperRef,
  type Rng,
  rowsTensor,
  Sgd,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";
import { DSPAH_DEFAULTS, DSPAH_PRESETS, type DSPAHConfig, validateDSPAHConfig } from "./config";
import { labelTensor, pairLoss, quantLoss, similarityMatrix, unifiedCodes } from "./losses";
import { ImageNet, TextNet } from "./network";

/**
 * Bytes of WASM heap a training step of the full R1 text block takes per item, in floats of its
 * widest map (d_t * (1+S) * C1). Measured on WASM with `bench/paper-epoch.mjs 200 paper` (d_t =
 * 1,386, S = 5, C1 = 64, a 2.0 MiB map): peak RSS 3,068 MiB at batch 40 and 3,659 MiB at batch 48,
 * i.e. ~74 MiB an item (~36.5 maps; tf.profile's peakBytes says ~59: it does not see the heap's
 * fragmentation); batch 58 ran out of the 4 GiB heap. Rounded up to 38.
 */
const FULL_R1_MAPS_PER_ITEM = 38;
/** Tensor bytes a WASM training step may plan for: the wasm32 heap is 4 GiB, less headroom. */
export const WASM_STEP_BUDGET_BYTES = 3.5 * 2 ** 30;

/** Floats per encode batch of the text net's widest map (b * d_t * (1+S) * C1), about 64 MiB. */
const ENCODE_MAP_BUDGET = 16_000_000;

/**
 * DSPAH (Chen, Wu, Chen): supervised deep cross-modal hashing with cross-level attention and a
 * fine-grained (graded multi-label) similarity, trained DCMH-style by alternating image-net,
 * text-net and B = sign(F + G) updates (Algorithm 1). Feature-vector variant "DSPAH-feat": the
 * image ResNet-34 is replaced by a four-level MLP on pre-extracted features (spec section 8).
 */
export class DSPAH extends BaseHasher<DSPAHConfig> {
  static readonly methodName: string = "DSPAH";
  static readonly paper: PaperRef = {
    title: "Deep Similarity Preserving and Attention-based Hashing for Cross-Modal Retrieval",
    authors: "Shubai Chen, Song Wu, Yu Chen",
    venue: "preprint (Southwest University)",
    year: 2021,
  };
  static readonly supervised: boolean = true;
  static readonly inputs = ["image", "text", "labels"] as const;
  static readonly defaults: DSPAHConfig = DSPAH_DEFAULTS;
  static readonly presets: Record<string, Partial<DSPAHConfig>> = DSPAH_PRESETS;

  /** Extra config checks, run after the base's type checks. */
  static validateConfig(c: DSPAHConfig): void {
    validateDSPAHConfig(c);
  }

  private imageNet?: ImageNet;
  private textNet?: TextNet;

  protected build(dims: InputDims, rng: Rng): void {
    const c = this.config;
    const common = { bits: c.bits, reduction: c.cbamReduction, fusion: c.fusion };
    this.imageNet = new ImageNet(dims.image, c.imageHidden, rng, { ...common, cbam: c.cbamImage });
    const init: InitScheme = c.textInit === "paper" ? { normal: 0.1 } : "torch";
    this.textNet = new TextNet(dims.text, c.textScales, c.textChannels, c.textHeadHidden, rng, {
      ...common,
      cbam: c.cbamText,
      init,
      lightR1: c.textR1 === "light",
    });
  }

  protected weights(): Record<string, WeightValue> {
    const out: Record<string, WeightValue> = {};
    const [img, txt] = this.nets();
    for (const [k, v] of Object.entries(img.namedWeights())) out[`image.${k}`] = v;
    for (const [k, v] of Object.entries(txt.namedWeights())) out[`text.${k}`] = v;
    return out;
  }

  protected override totalEpochs(): number {
    return this.config.epochs;
  }

  protected override encodeBatchSize(): number {
    const d = this.dims?.text ?? 1;
    const perRow =
      this.config.textR1 === "light"
        ? d * (1 + this.config.textScales.length)
        : d * (1 + this.config.textScales.length) * this.config.textChannels[0];
    return Math.max(16, Math.min(2048, Math.floor(ENCODE_MAP_BUDGET / perRow)));
  }

  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const c = this.config;
    const labels = train.labels;
    if (!labels) throw new Error("DSPAH is supervised: fit needs train.labels");
    const n = train.image.rows;
    if (n < 2)
      throw new RangeError(`DSPAH.fit: needs at least 2 training pairs (batch norm), got ${n}`);
    const need = trainStepBytes(c, ctx.dims.text, n);
    if (backendName() === "wasm" && need > WASM_STEP_BUDGET_BYTES) {
      const perItem = need / Math.min(c.batchSize, n);
      const fit = Math.max(2, Math.floor(WASM_STEP_BUDGET_BYTES / perItem));
      throw new RangeError(
        `DSPAH.fit: a training step of this config needs about ${gib(need)} GiB of tensors ` +
          `(batchSize ${c.batchSize}, text width ${ctx.dims.text}, full R1 block with ` +
          `${c.textChannels[0]} channels), more than the WASM backend's 4 GiB heap allows ` +
          `(budget ${gib(WASM_STEP_BUDGET_BYTES)} GiB). Use batchSize <= ${fit}, ` +
          `textR1: "light", or the tensorflow backend (CMH_BACKEND=tensorflow, e.g. on a GPU).`,
      );
    }
    const bits = c.bits;
    const [img, txt] = this.nets();
    const L = ctx.track(labelTensor(labels));
    // DCMH-style buffers of every training output (random init as MLSPH/SCAHN), B = sign(F + G).
    const F = ctx.rng.fillNormal(new Float32Array(n * bits), 0, 1);
    const G = ctx.rng.fillNormal(new Float32Array(n * bits), 0, 1);
    const B = unifiedCodes(F, G);
    const makeOpt = () => (c.optimizer === "adam" ? new Adam({ lr: c.lr }) : new Sgd({ lr: c.lr }));
    const optImage = ctx.optimizer("image", makeOpt());
    const optText = ctx.optimizer("text", makeOpt());
    const epochs = c.epochs * epochScale(c.epochScaleItems, n);
    const schedule = linearLr(c.lr, c.lrEnd, epochs);
    const bs = Math.min(c.batchSize, n);
    const batches = (): Uint32Array[] =>
      c.batchSampling === "random"
        ? Array.from({ length: Math.max(1, Math.floor(n / bs)) }, () => ctx.rng.choice(n, bs))
        : batchIndices(n, { batchSize: bs, rng: ctx.rng, dropLast: true });
    const imageVars = img.variables();
    const textVars = txt.variables();
    const norm = c.lossNormalization;

    await ctx.phase("train", epochs, async (epoch) => {
      const lr = epochs === 1 ? c.lr : schedule(epoch.epoch);
      optImage.lr = lr;
      optText.lr = lr;
      for (const modality of ["image", "text"] as const) {
        const self = modality === "image" ? F : G;
        const other = tf.tensor2d(modality === "image" ? G : F, [n, bits]);
        const net = modality === "image" ? img : txt;
        const x = modality === "image" ? train.image : train.text;
        try {
          for (const idx of batches()) {
            const xb = rowsTensor(x, idx);
            const idxT = tf.tensor1d(Int32Array.from(idx), "int32");
            const s = tf.tidy(() =>
              similarityMatrix(tf.gather(L, idxT) as tf.Tensor2D, L, c.similarity),
            );
            const bb = tf.tensor2d(gatherRows({ rows: n, cols: bits, data: B }, idx), [
              idx.length,
              bits,
            ]);
            try {
              await epoch.step(
                () => {
                  const out = net.forward(xb, true).out;
                  // Write the (detached) current outputs into this modality's buffer first, as
                  // MLSPH/DCMH do, so the intra term sees them.
                  const vals = out.dataSync();
                  for (let r = 0; r < idx.length; r++)
                    self.set(vals.subarray(r * bits, (r + 1) * bits), idx[r] * bits);
                  const inter = pairLoss(out, other, s, norm);
                  const intra = c.intraLoss
                    ? pairLoss(out, tf.tensor2d(self, [n, bits]), s, norm)
                    : tf.scalar(0);
                  const quant = quantLoss(bb, out, norm);
                  const total = tf.addN([inter, intra, tf.mul(quant, c.quantWeight)]) as tf.Scalar;
                  return {
                    total,
                    terms: {
                      [`${modality}.inter`]: inter,
                      [`${modality}.intra`]: intra,
                      [`${modality}.quant`]: quant,
                    },
                  };
                },
                {
                  optimizer: modality === "image" ? optImage : optText,
                  variables: modality === "image" ? imageVars : textVars,
                },
              );
            } finally {
              tf.dispose([xb, idxT, s, bb]);
            }
          }
        } finally {
          other.dispose();
        }
      }
      unifiedCodes(F, G, B);
    });
  }

  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const [img, txt] = this.nets();
    const t = matrixTensor(x);
    return modality === "image" ? img.forward(t, false).out : txt.forward(t, false).out;
  }

  /** The two networks (for inspection and tests); throws before fit/load. */
  networks(): { image: ImageNet; text: TextNet } {
    const [image, text] = this.nets();
    return { image, text };
  }

  private nets(): [ImageNet, TextNet] {
    if (!this.imageNet || !this.textNet)
      throw new Error("DSPAH: model not built (call fit or load)");
    return [this.imageNet, this.textNet];
  }
}

/**
 * Estimated peak tensor bytes of one training step, dominated by the text net's widest map
 * (batch x d_t x (1+S) x C1 floats for the full R1 block, batch x d_t x (1+S) for the light one).
 */
export function trainStepBytes(
  c: DSPAHConfig,
  textDim: number,
  rows = Number.POSITIVE_INFINITY,
): number {
  const b = Math.min(c.batchSize, rows);
  const map = b * textDim * (1 + c.textScales.length);
  const maps = c.textR1 === "light" ? map * 4 : map * c.textChannels[0] * FULL_R1_MAPS_PER_ITEM;
  return maps * 4;
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}

/** Re-exported from `@cmh/tensor-core` (shared by every method with `epochScaleItems`). */
export { epochScale } from "@cmh/tensor-core";
