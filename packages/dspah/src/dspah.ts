import type { CrossModalSet, LabelMatrix, Matrix } from "@cmh/datasets";
import {
  BaseHasher,
  backendName,
  batchIndices,
  createOptimizer,
  type EpochContext,
  epochScale,
  type FitContext,
  gatherRows,
  HasherError,
  type InitScheme,
  type InputDims,
  linearLr,
  type Modality,
  matrixTensor,
  type Optimizer,
  type PaperRef,
  type Rng,
  rowsTensor,
  tf,
  type WeightValue,
} from "@cmh/tensor-core";
import { DSPAH_DEFAULTS, DSPAH_PRESETS, DSPAH_SCHEMA, type DSPAHConfig } from "./config";
import { labelTensor, modalityLoss, similarityMatrix, unifiedCodes } from "./losses";
import { ImageNet, TextNet } from "./network";
import { assertStepFitsWasm, encodeRows } from "./step-memory";

/** What Algorithm 1 keeps between its steps: the buffers F, G, B and the optimisers. */
interface TrainState {
  /** Training pairs N. */
  readonly n: number;
  /** Multi-hot labels of the training set, [N, L]. */
  readonly labels: tf.Tensor2D;
  /** Buffer of every training image output, [N, c] row-major. */
  readonly F: Float32Array;
  /** Buffer of every training text output, [N, c] row-major. */
  readonly G: Float32Array;
  /** Unified codes B = sign(F + G), [N, c] row-major. */
  readonly B: Float32Array;
  /** Epochs to run (after `epochScaleItems`). */
  readonly epochs: number;
  /** Learning rate of a 0-based epoch: linear decay from `lr` to `lrEnd` (MLSPH). */
  readonly lrAt: (epoch: number) => number;
  /** One optimiser per network. */
  readonly optimizers: Readonly<Record<Modality, Optimizer>>;
}

/** One mini-batch of Algorithm 1: its rows, features, targets S against all N items and rows of B. */
interface Batch {
  readonly idx: Uint32Array;
  readonly x: tf.Tensor2D;
  readonly s: tf.Tensor2D;
  readonly codes: tf.Tensor2D;
}

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
  static readonly schema = DSPAH_SCHEMA;
  static readonly defaults = DSPAH_DEFAULTS;
  static readonly presets = DSPAH_PRESETS;
  /** Batch norm needs at least 2 rows a batch: fit refuses fewer training pairs. */
  static readonly minTrainingRows = 2;
  static readonly minTrainingRowsReason = "batch norm";

  private imageNet?: ImageNet;
  private textNet?: TextNet;

  /** Build the image and text networks for the fitted input widths (Algorithm 1, step 1). */
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

  /** Every weight of both networks, named `image.*` and `text.*`, for save and checkpoints. */
  protected weights(): Record<string, WeightValue> {
    const out: Record<string, WeightValue> = {};
    const [img, txt] = this.nets();
    for (const [k, v] of Object.entries(img.namedWeights())) out[`image.${k}`] = v;
    for (const [k, v] of Object.entries(txt.namedWeights())) out[`text.${k}`] = v;
    return out;
  }

  /** Epochs for the progress ETA: `epochs` × the `epochScaleItems` multiplier. */
  protected override totalEpochs(rows: number): number {
    return this.config.epochs * epochScale(this.config.epochScaleItems, rows);
  }

  /** Rows per encode batch, bounded by the text net's widest map. */
  protected override encodeBatchSize(): number {
    return encodeRows(this.config, this.dims?.text ?? 1);
  }

  /** Algorithm 1: initialise, then per epoch update the image net, the text net, and B. */
  protected async train(train: CrossModalSet, ctx: FitContext): Promise<void> {
    const labels = requireLabels(train);
    const n = train.image.rows;
    if (backendName() === "wasm") assertStepFitsWasm(this.config, ctx.dims.text, n);
    const state = this.initialize(labels, n, ctx); // step 1
    await ctx.phase("train", state.epochs, async (epoch) => {
      state.optimizers.image.lr = state.optimizers.text.lr = state.lrAt(epoch.epoch);
      await this.updateNetwork("image", train.image, state, ctx, epoch); // step 3: theta_x
      await this.updateNetwork("text", train.text, state, ctx, epoch); // step 3: theta_y
      unifiedCodes(state.F, state.G, state.B); // step 5: B = sign(F + G)
    });
  }

  /**
   * Algorithm 1, step 1: buffers F, G ~ N(0, 1) (MLSPH/SCAHN), B = sign(F + G), one optimiser per
   * network, the epoch count and the learning-rate schedule (the networks are built by `build`).
   */
  private initialize(labels: LabelMatrix, n: number, ctx: FitContext): TrainState {
    const c = this.config;
    const L = ctx.track(labelTensor(labels));
    const F = ctx.rng.fillNormal(new Float32Array(n * c.bits), 0, 1);
    const G = ctx.rng.fillNormal(new Float32Array(n * c.bits), 0, 1);
    const B = unifiedCodes(F, G);
    const image = ctx.optimizer("image", createOptimizer(c.optimizer, { lr: c.lr }));
    const text = ctx.optimizer("text", createOptimizer(c.optimizer, { lr: c.lr }));
    const epochs = c.epochs * epochScale(c.epochScaleItems, n);
    const schedule = linearLr(c.lr, c.lrEnd, epochs);
    const lrAt = (epoch: number) => (epochs === 1 ? c.lr : schedule(epoch));
    return { n, labels: L, F, G, B, epochs, lrAt, optimizers: { image, text } };
  }

  /**
   * Algorithm 1, steps 3 and 4: one pass of mini-batches updating one network (theta_x for
   * "image", theta_y for "text") by back-propagation, the other modality's buffer held fixed.
   */
  private async updateNetwork(
    modality: Modality,
    x: Matrix,
    state: TrainState,
    ctx: FitContext,
    epoch: EpochContext,
  ): Promise<void> {
    const c = this.config;
    const { n } = state;
    const other = tf.tensor2d(modality === "image" ? state.G : state.F, [n, c.bits]);
    try {
      const bs = Math.min(c.batchSize, n);
      for (const idx of drawBatches(n, bs, c.batchSampling, ctx.rng)) {
        const batch = this.makeBatch(x, idx, state);
        try {
          await this.networkStep(modality, batch, other, state, epoch);
        } finally {
          tf.dispose([batch.x, batch.s, batch.codes]);
        }
      }
    } finally {
      other.dispose();
    }
  }

  /** The tensors of one mini-batch: its features, its similarity rows S[idx, :] and B[idx, :]. */
  private makeBatch(x: Matrix, idx: Uint32Array, state: TrainState): Batch {
    const bits = this.config.bits;
    const xb = rowsTensor(x, idx);
    const idxT = tf.tensor1d(Int32Array.from(idx), "int32");
    const s = tf.tidy(() =>
      similarityMatrix(
        tf.gather(state.labels, idxT) as tf.Tensor2D,
        state.labels,
        this.config.similarity,
      ),
    );
    const codes = tf.tensor2d(gatherRows({ rows: state.n, cols: bits, data: state.B }, idx), [
      idx.length,
      bits,
    ]);
    idxT.dispose();
    return { idx, x: xb, s, codes };
  }

  /**
   * One back-propagation step of one network on one batch: forward, write the (detached) outputs
   * into this modality's buffer first (MLSPH/DCMH, so the intra term sees them), then the loss.
   */
  private async networkStep(
    modality: Modality,
    batch: Batch,
    other: tf.Tensor2D,
    state: TrainState,
    epoch: EpochContext,
  ): Promise<void> {
    const c = this.config;
    const { n } = state;
    const [img, txt] = this.nets();
    const net = modality === "image" ? img : txt;
    const own = modality === "image" ? state.F : state.G;
    await epoch.step(
      () => {
        const out = net.forward(batch.x, true).out;
        const vals = out.dataSync();
        for (let r = 0; r < batch.idx.length; r++)
          own.set(vals.subarray(r * c.bits, (r + 1) * c.bits), batch.idx[r] * c.bits);
        const ownT = c.intraLoss ? tf.tensor2d(own, [n, c.bits]) : null;
        const loss = modalityLoss(out, other, ownT, batch.s, batch.codes, {
          normalization: c.lossNormalization,
          quantWeight: c.quantWeight,
        });
        return {
          total: loss.total,
          terms: {
            [`${modality}.inter`]: loss.inter,
            [`${modality}.intra`]: loss.intra,
            [`${modality}.quant`]: loss.quant,
          },
        };
      },
      { optimizer: state.optimizers[modality], variables: net.variables() },
    );
  }

  /** The fused network output in eval mode; the base takes its sign as the code. */
  protected project(modality: Modality, x: Matrix): tf.Tensor {
    const [img, txt] = this.nets();
    const t = matrixTensor(x);
    return modality === "image" ? img.forward(t, false).out : txt.forward(t, false).out;
  }

  /**
   * The two networks (for inspection and tests); throws before fit/load.
   * @internal
   */
  networks(): { image: ImageNet; text: TextNet } {
    const [image, text] = this.nets();
    return { image, text };
  }

  private nets(): [ImageNet, TextNet] {
    return [this.requireModel(this.imageNet), this.requireModel(this.textNet)];
  }
}

/** The training labels; DSPAH is supervised, so a set without them is refused. */
function requireLabels(train: CrossModalSet): LabelMatrix {
  if (!train.labels) throw new HasherError("DSPAH is supervised: fit needs train.labels");
  return train.labels;
}

/**
 * The mini-batches of one network's pass: "random" draws floor(N / batch) fresh random subsets
 * (MLSPH), "permutation" one shuffled pass without the last partial batch.
 */
function drawBatches(
  n: number,
  batchSize: number,
  sampling: DSPAHConfig["batchSampling"],
  rng: Rng,
): Uint32Array[] {
  return sampling === "random"
    ? Array.from({ length: Math.max(1, Math.floor(n / batchSize)) }, () => rng.choice(n, batchSize))
    : batchIndices(n, { batchSize, rng, dropLast: true });
}
