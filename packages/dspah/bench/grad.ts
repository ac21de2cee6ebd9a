import { applySplit, synthetic } from "@cmh/datasets";
import { Adam, createRng, initBackend, matrixTensor, Sgd, tf } from "@cmh/tensor-core";
import { ImageNet, labelTensor, pairLoss, similarityMatrix } from "../src/index";

await initBackend();
const d = synthetic({
  seed: 3,
  nQuery: 60,
  nDatabase: 400,
  nTrain: 400,
  imageDim: 32,
  textDim: 60,
  latentDim: 8,
  hiddenDim: 32,
  labelProbabilities: [0.3, 0.25, 0.2, 0.15, 0.1, 0.1],
  topicWords: 6,
  wordsPerItem: 5,
});
const { train } = applySplit(d.set, d.split);
const L = labelTensor(train.labels!);
const S = similarityMatrix(L, L);
console.log(
  "mean S",
  tf.mean(S).dataSync()[0],
  "labels",
  train.labels!.cols,
  "n",
  train.image.rows,
);
const net = new ImageNet(32, [64, 32, 32, 32], createRng(1), {
  bits: 16,
  cbam: true,
  reduction: 16,
  fusion: "attention",
});
const x = matrixTensor(train.image);
const G = tf.sign(tf.matMul(L, tf.randomNormal([6, 16])));
const opt =
  process.argv[3] === "adam"
    ? new Adam({ lr: Number(process.argv[2]) })
    : new Sgd({ lr: Number(process.argv[2] ?? 0.03) });
const vars = net.variables();
for (let it = 0; it < 200; it++) {
  const { value, grads } = tf.variableGrads(
    () => pairLoss(net.forward(x as tf.Tensor2D, true).out, G as tf.Tensor2D, S, "pairs"),
    vars,
  );
  if (it % 40 === 0) {
    const gn = Object.values(grads).map((g) => tf.norm(g).dataSync()[0]);
    console.log(
      it,
      value.dataSync()[0].toFixed(3),
      "grad norms",
      gn
        .slice(0, 6)
        .map((v) => v.toExponential(1))
        .join(" "),
      "...",
      Object.keys(grads).length,
      vars.length,
    );
  }
  opt.step(vars, grads);
  tf.dispose([value, ...Object.values(grads)]);
}
