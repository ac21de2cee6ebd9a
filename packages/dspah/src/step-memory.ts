import { ConfigError } from "@cmh/tensor-core";
import type { DSPAHConfig } from "./config";

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

/**
 * Throw, before training, when a step of `c` on `rows` items of text width `textDim` would not fit
 * the WASM heap (only called on the WASM backend), naming the largest batch that fits.
 */
export function assertStepFitsWasm(c: DSPAHConfig, textDim: number, rows: number): void {
  const need = trainStepBytes(c, textDim, rows);
  if (need <= WASM_STEP_BUDGET_BYTES) return;
  const perItem = need / Math.min(c.batchSize, rows);
  const fit = Math.max(2, Math.floor(WASM_STEP_BUDGET_BYTES / perItem));
  throw new ConfigError(
    `DSPAH.fit: a training step of this config needs about ${gib(need)} GiB of tensors ` +
      `(batchSize ${c.batchSize}, text width ${textDim}, full R1 block with ` +
      `${c.textChannels[0]} channels), more than the WASM backend's 4 GiB heap allows ` +
      `(budget ${gib(WASM_STEP_BUDGET_BYTES)} GiB). Use batchSize <= ${fit}, ` +
      `textR1: "light", or the tensorflow backend (CMH_BACKEND=tensorflow, e.g. on a GPU).`,
  );
}

/** Rows per encode batch so that the text net's widest map stays near 64 MiB (16 to 2,048). */
export function encodeRows(c: DSPAHConfig, textDim: number): number {
  const perRow =
    c.textR1 === "light"
      ? textDim * (1 + c.textScales.length)
      : textDim * (1 + c.textScales.length) * c.textChannels[0];
  return Math.max(16, Math.min(2048, Math.floor(ENCODE_MAP_BUDGET / perRow)));
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}
