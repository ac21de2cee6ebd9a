// Label-free training diagnostics for CMIMH on the default synthetic training set (5,000 pairs):
// per-epoch loss terms (recon, Î_JS, SKL, TC, balance, classifier BCE) and, after the fit, the
// spread of the Bernoulli probabilities across items (a collapsed encoder has spread ≈ 0) and the
// Hamming distance between the two codes of matched vs. mismatched training pairs.
// No labels are read. Usage (repo root, after `pnpm build`):
//   node packages/cmimh/bench/diagnose.mjs '{"epochs":8,"useKL":false}' [preset=quick] [bits=32] [dir]
// With [dir] (an I_tr/T_tr/L_tr/I_te/T_te/L_te folder, e.g. uci-mfeat's), the training rows of that
// set are used instead of the default set's (the I_te/T_te rows are never touched).
import { CMIMH } from "@cmh/cmimh";
import { applySplit, defaultDataset, loadTrainTestLayout } from "@cmh/datasets";
import { initBackend } from "@cmh/tensor-core";

await initBackend({ log: false });
const extra = JSON.parse(process.argv[2] ?? "{}");
const preset = process.argv[3] ?? "quick";
const bits = Number(process.argv[4] ?? 32);
const dir = process.argv[5];
const { set, split } = dir ? await loadTrainTestLayout(dir) : defaultDataset();
const { train } = applySplit(set, split);
const m = new CMIMH({ ...CMIMH.presets[preset], bits, ...extra });
console.log("config", JSON.stringify(m.config));
const t0 = process.cpuUsage();
const r = await m.fit(train, {
  onProgress: (e) =>
    console.log(
      `epoch ${e.epoch} ${Object.entries(e.losses)
        .map(([k, v]) => `${k}=${v.toFixed(4)}`)
        .join(" ")}`,
    ),
});
const cpu = process.cpuUsage(t0);
console.log(
  `fit wall ${r.seconds.toFixed(1)} s, process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
);
const sub = (mat, n) => ({ rows: n, cols: mat.cols, data: mat.data.subarray(0, n * mat.cols) });
for (const mod of ["image", "text"]) {
  const p = m.probabilities(mod, sub(train[mod], 1000));
  const b = p.cols;
  let sd = 0;
  let ones = 0;
  for (let k = 0; k < b; k++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < p.rows; i++) {
      const v = p.data[i * b + k];
      s += v;
      s2 += v * v;
      if (v >= 0.5) ones++;
    }
    const mu = s / p.rows;
    sd += Math.sqrt(Math.max(0, s2 / p.rows - mu * mu)) / b;
  }
  console.log(
    `${mod}: mean per-bit std of p across items ${sd.toFixed(4)}, fraction of 1-bits ${(ones / p.rows / b).toFixed(3)}`,
  );
}
// Label-free cross-modal alignment: Hamming distance between the image and text codes of the same
// training pair vs. of mismatched pairs (i, i+1), over the first 1,000 training pairs.
{
  const pi = m.probabilities("image", sub(train.image, 1000));
  const pt = m.probabilities("text", sub(train.text, 1000));
  const b = pi.cols;
  const ham = (i, j) => {
    let d = 0;
    for (let k = 0; k < b; k++) if (pi.data[i * b + k] >= 0.5 !== pt.data[j * b + k] >= 0.5) d++;
    return d;
  };
  let matched = 0;
  let mismatched = 0;
  for (let i = 0; i < pi.rows; i++) {
    matched += ham(i, i);
    mismatched += ham(i, (i + 1) % pi.rows);
  }
  console.log(
    `cross-modal Hamming distance (of ${b} bits): matched pairs ${(matched / pi.rows).toFixed(2)}, mismatched ${(mismatched / pi.rows).toFixed(2)}`,
  );
}
m.dispose();
