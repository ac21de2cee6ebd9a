// Peak f32 throughput of WebAssembly SIMD128 on this machine, one thread: the ceiling any WASM
// kernel (XNNPack's GEMM included) works under. SIMD128 has no fused multiply-add, so a
// multiply-accumulate is an f32x4.mul plus an f32x4.add (8 FLOP); the loop below keeps 8
// independent accumulators in registers (no memory traffic) and does 64 FLOP per iteration.
// Compare with `bench/matmul.mjs` (XNNPack GEMM) and with what a native BLAS gets from AVX2/
// AVX-512 FMA (`bench/compare.mjs` prints PyTorch's step time).
//
// Usage: node bench/simd-peak.mjs
// The module is embedded as bytes; it is this WAT (compiled with wabt 1.0.36, `--enable-simd`):
//
// (module
//   (func (export "run") (param $n i32) (result f32)
//     (local $a0 v128) (local $x0 v128) (local $a1 v128) (local $x1 v128) (local $a2 v128) (local $x2 v128) (local $a3 v128) (local $x3 v128) (local $a4 v128) (local $x4 v128) (local $a5 v128) (local $x5 v128) (local $a6 v128) (local $x6 v128) (local $a7 v128) (local $x7 v128) (local $y v128)
//     (local.set $y (f32x4.splat (f32.const 0.999999)))
//     (local.set $x0 (f32x4.splat (f32.const 1)))
//     (local.set $x1 (f32x4.splat (f32.const 1.001)))
//     (local.set $x2 (f32x4.splat (f32.const 1.002)))
//     (local.set $x3 (f32x4.splat (f32.const 1.003)))
//     (local.set $x4 (f32x4.splat (f32.const 1.004)))
//     (local.set $x5 (f32x4.splat (f32.const 1.005)))
//     (local.set $x6 (f32x4.splat (f32.const 1.006)))
//     (local.set $x7 (f32x4.splat (f32.const 1.007)))
//     (block $out (loop $l
//       (br_if $out (i32.eqz (local.get $n)))
//       (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x0) (local.get $y))))
//       (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x1) (local.get $y))))
//       (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x2) (local.get $y))))
//       (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x3) (local.get $y))))
//       (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $x4) (local.get $y))))
//       (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $x5) (local.get $y))))
//       (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $x6) (local.get $y))))
//       (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $x7) (local.get $y))))
//       (local.set $n (i32.sub (local.get $n) (i32.const 1)))
//       (br $l)))
//     (f32x4.extract_lane 0 (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (local.get $a2)) (local.get $a3)) (local.get $a4)) (local.get $a5)) (local.get $a6)) (local.get $a7)))))
const WASM =
  "AGFzbQEAAAABBgFgAX8BfQMCAQAHBwEDcnVuAAAKhAIBgQIBEXtD7/9/P/0TIRFDAACAP/0TIQJDxSCAP/0TIQRDiUGAP/0TIQZDTmKAP/0TIQhDEoOAP/0TIQpD16OAP/0TIQxDnMSAP/0TIQ5DYOWAP/0TIRACQANAIABFDQEgASACIBH95gH95AEhASADIAQgEf3mAf3kASEDIAUgBiAR/eYB/eQBIQUgByAIIBH95gH95AEhByAJIAogEf3mAf3kASEJIAsgDCAR/eYB/eQBIQsgDSAOIBH95gH95AEhDSAPIBAgEf3mAf3kASEPIABBAWshAAwACwsgASAD/eQBIAX95AEgB/3kASAJ/eQBIAv95AEgDf3kASAP/eQB/R8ACw==";

const { instance } = await WebAssembly.instantiate(Buffer.from(WASM, "base64"));
const run = /** @type {(n: number) => number} */ (instance.exports.run);
const n = 20_000_000;
run(1_000_000); // warm up (tier-up to the optimising compiler)
const rates = [];
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  run(n);
  rates.push((n * 64) / ((performance.now() - t) / 1000) / 1e9);
}
rates.sort((a, b) => b - a);
console.log(
  `WASM SIMD128 register-resident mul+add, 1 thread: best ${rates[0].toFixed(1)} GFLOP/s, median ${rates[2].toFixed(1)} (5 runs of ${(n * 64) / 1e9} GFLOP)`,
);
