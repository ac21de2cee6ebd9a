// Time one forward+backward step of each network at the quick sizes (b = 128, d_t = 1386, d_v = 512).
import { createRng, initBackend, tf } from "@cmh/tensor-core";
import { ImageNet, TextNet } from "../src/index";

await initBackend();
const ch = JSON.parse(process.argv[2] ?? "[8,16,32,64]");
const b = 128;
const rng = createRng(1);
const text = new TextNet(1386, [50, 30, 15, 10, 5], ch, 64, rng, {
  bits: 32,
  cbam: true,
  reduction: 16,
  fusion: "attention",
  init: { normal: 0.1 },
  lightR1: process.argv[3] === "light",
});
const img = new ImageNet(512, [512, 256, 256, 128], rng, {
  bits: 32,
  cbam: true,
  reduction: 16,
  fusion: "attention",
});
const xt = tf.cast(tf.greater(tf.randomUniform([b, 1386]), 0.99), "float32") as tf.Tensor2D;
const xi = tf.randomNormal([b, 512]) as tf.Tensor2D;
for (const [name, net, x] of [
  ["image", img, xi],
  ["text", text, xt],
] as const) {
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now();
    tf.tidy(() => {
      net.forward(x, true).out.dataSync();
    });
    const fwd = performance.now() - t0;
    t0 = performance.now();
    const { value, grads } = tf.variableGrads(
      () => tf.mean(net.forward(x, true).out) as tf.Scalar,
      net.variables(),
    );
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    console.log(name, "fwd ms", fwd.toFixed(0), "fwd+bwd ms", (performance.now() - t0).toFixed(0));
  }
}
// per-stage forward times of the text net
tf.tidy(() => {
  let t0 = performance.now();
  const m = text.multiScale(xt);
  m.dataSync();
  console.log("multiScale", (performance.now() - t0).toFixed(0));
  t0 = performance.now();
  const r1 = (text.blocks[0] as unknown as { apply(x: tf.Tensor, t: boolean): tf.Tensor }).apply(
    m,
    true,
  );
  r1.dataSync();
  console.log("R1", (performance.now() - t0).toFixed(0));
});
console.log("cpu s", process.cpuUsage().user / 1e6);
