// Peak tensor bytes of one DSPAH training step (text net, the widest) at several batch sizes,
// measured with tf.profile on the active backend. Used to size the WASM heap guard.
// Usage (repo root, after `pnpm build`): node packages/dspah/bench/step-memory.mjs [preset=paper] [batches=4,8,16]
import { applySplit, synthetic } from "@cmh/datasets";
import { DSPAH } from "@cmh/dspah";
import { initBackend, tf } from "@cmh/tensor-core";

await initBackend({ log: false });
const preset = process.argv[2] ?? "paper";
const sizes = (process.argv[3] ?? "4,8,16").split(",").map(Number);
const { set, split } = synthetic({ nQuery: 100, nDatabase: 400, nTrain: 400 });
const { train } = applySplit(set, split);
for (const b of sizes) {
  const m = new DSPAH({
    ...DSPAH.presets[preset],
    bits: 32,
    epochs: 1,
    batchSize: b,
    epochScaleItems: 0,
  });
  // Build the nets by fitting one epoch on a tiny subset, then profile a forward+backward of the text net.
  const info = await tf.profile(async () => {
    await m.fit({
      image: sub(train.image, b * 2),
      text: sub(train.text, b * 2),
      labels: sub(train.labels, b * 2),
    });
  });
  console.log(
    `batch ${b}: peak ${(info.peakBytes / 2 ** 20).toFixed(1)} MiB, per item ${(info.peakBytes / b / 2 ** 20).toFixed(2)} MiB`,
  );
  m.dispose();
}
function sub(mat, rows) {
  return { rows, cols: mat.cols, data: mat.data.subarray(0, rows * mat.cols) };
}
