// Generates src/kernel.wat (the WebAssembly kernel, text form, for review) and assembles it with
// wabt into src/kernel-wasm.ts (the bytes, base64, embedded so the package needs no native build
// and no .wat tooling at install time). Run: node scripts/build-wasm.mjs  (from the package dir).
// `--check` verifies that the committed files are what this script produces.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// Each kernel is specialised by code width w (32-bit words per code): 1, 2, 4, and a generic
// loop ("g"). `dist` is the distance expression for the code at byte address $p; `pro` loads the
// query into locals once.
const SPECS = {
  1: {
    pro: "(local.set $a (i32.load (local.get $q)))",
    dist: "(i32.popcnt (i32.xor (local.get $a) (i32.load (local.get $p))))",
  },
  2: {
    pro: "(local.set $x0 (i64.load (local.get $q)))",
    dist: "(i32.wrap_i64 (i64.popcnt (i64.xor (local.get $x0) (i64.load (local.get $p)))))",
  },
  4: {
    pro: "(local.set $x0 (i64.load (local.get $q))) (local.set $x1 (i64.load offset=8 (local.get $q)))",
    dist:
      "(i32.wrap_i64 (i64.add (i64.popcnt (i64.xor (local.get $x0) (i64.load (local.get $p))))" +
      " (i64.popcnt (i64.xor (local.get $x1) (i64.load offset=8 (local.get $p))))))",
  },
  g: {
    pro: "",
    dist: "(call $distg (local.get $q) (local.get $p) (local.get $w))",
  },
};

/** Database codes per block of the batched k-NN scan. */
const BLOCK = 8192;

const LOCALS =
  "(local $p i32) (local $j i32) (local $d i32) (local $c i32) (local $a i32) (local $x0 i64) (local $x1 i64)";

// k-NN: keep the code at index `jx` with distance in local `dv` if it is below $lim, then shrink
// $lim while $k kept codes lie below it
function keep(dv, jx) {
  return `(if (i32.lt_u (local.get ${dv}) (local.get $lim)) (then
            (i32.store (i32.add (local.get $ci) (i32.shl (local.get $nc) (i32.const 2))) ${jx})
            (i32.store16 (i32.add (local.get $cd) (i32.shl (local.get $nc) (i32.const 1))) (local.get ${dv}))
            (local.set $nc (i32.add (local.get $nc) (i32.const 1)))
            (local.set $c (i32.add (local.get $counts) (i32.shl (local.get ${dv}) (i32.const 2))))
            (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
            (local.set $below (i32.add (local.get $below) (i32.const 1)))
            (block $ok (loop $shrink
              (br_if $ok (i32.lt_u (local.get $below) (local.get $k)))
              (local.set $lim (i32.sub (local.get $lim) (i32.const 1)))
              (local.set $below (i32.sub (local.get $below)
                (i32.load (i32.add (local.get $counts) (i32.shl (local.get $lim) (i32.const 2))))))
              (br $shrink)))))`;
}

function kernels(s, S) {
  return `
  ;; distances of query $q to codes 0..$n-1 at $db (stride $w words), as u16 at $out
  (func $dist_${s} (export "dist_${s}")
    (param $q i32) (param $db i32) (param $n i32) (param $w i32) (param $out i32)
    ${LOCALS}
    ${S.pro}
    (local.set $p (local.get $db))
    (local.set $c (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 1))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $out) (local.get $c)))
      (i32.store16 (local.get $out) ${S.dist})
      (local.set $out (i32.add (local.get $out) (i32.const 2)))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $w) (i32.const 2))))
      (br $next))))

  ;; k-NN candidates in one pass, for $nq queries at once (words at $q0, stride $w words).
  ;; A code (visited in index order) is kept for a query iff fewer than $k codes already kept for
  ;; it have distance <= its own: $lim is the smallest distance at which $k are kept, $below
  ;; counts kept codes with distance < $lim, $counts[d] counts kept codes at distance d.
  ;; Query i keeps indices at $ci0 + 4*n*i (u32) and distances at $cd0 + 2*n*i (u16); its state
  ;; (lim, below, count) is at $st + 12*i, its counts at $counts0 + 4*(bits+1)*i.
  ;; The k nearest (ties by index) are the first k of the kept ones sorted stably by distance.
  ;; The database is walked in blocks of ${BLOCK} codes, each block for every query in turn, so it
  ;; is read from memory once per batch; four codes per iteration with one branch on "any of the
  ;; four below $lim" (rarely taken).
  (func $knn_${s} (export "knn_${s}")
    (param $q0 i32) (param $nq i32) (param $db i32) (param $n i32) (param $w i32) (param $k i32)
    (param $bits i32) (param $counts0 i32) (param $ci0 i32) (param $cd0 i32) (param $st i32)
    ${LOCALS} (local $lim i32) (local $below i32) (local $nc i32) (local $q i32)
    (local $d1 i32) (local $d2 i32) (local $d3 i32) (local $n4 i32) (local $ws i32)
    (local $qi i32) (local $b0 i32) (local $b1 i32) (local $counts i32) (local $ci i32)
    (local $cd i32) (local $s i32)
    (local.set $ws (i32.shl (local.get $w) (i32.const 2)))
    (memory.fill (local.get $counts0) (i32.const 0) (i32.mul (local.get $nq)
      (i32.shl (i32.add (local.get $bits) (i32.const 1)) (i32.const 2))))
    (block $init_done (loop $init
      (br_if $init_done (i32.ge_u (local.get $qi) (local.get $nq)))
      (local.set $s (i32.add (local.get $st) (i32.mul (local.get $qi) (i32.const 12))))
      (i32.store (local.get $s) (i32.add (local.get $bits) (i32.const 1)))
      (i32.store offset=4 (local.get $s) (i32.const 0))
      (i32.store offset=8 (local.get $s) (i32.const 0))
      (local.set $qi (i32.add (local.get $qi) (i32.const 1)))
      (br $init)))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $b0) (local.get $n)))
      (local.set $b1 (i32.add (local.get $b0) (i32.const ${BLOCK})))
      (if (i32.gt_u (local.get $b1) (local.get $n)) (then (local.set $b1 (local.get $n))))
      (local.set $qi (i32.const 0))
      (block $queries_done (loop $queries
        (br_if $queries_done (i32.ge_u (local.get $qi) (local.get $nq)))
        (local.set $q (i32.add (local.get $q0) (i32.mul (local.get $qi) (local.get $ws))))
        (local.set $counts (i32.add (local.get $counts0)
          (i32.mul (local.get $qi) (i32.shl (i32.add (local.get $bits) (i32.const 1)) (i32.const 2)))))
        (local.set $ci (i32.add (local.get $ci0) (i32.mul (local.get $qi) (i32.shl (local.get $n) (i32.const 2)))))
        (local.set $cd (i32.add (local.get $cd0) (i32.mul (local.get $qi) (i32.shl (local.get $n) (i32.const 1)))))
        (local.set $s (i32.add (local.get $st) (i32.mul (local.get $qi) (i32.const 12))))
        (local.set $lim (i32.load (local.get $s)))
        (local.set $below (i32.load offset=4 (local.get $s)))
        (local.set $nc (i32.load offset=8 (local.get $s)))
        ${S.pro}
        (local.set $j (local.get $b0))
        (local.set $p (i32.add (local.get $db) (i32.mul (local.get $b0) (local.get $ws))))
        (local.set $n4 (i32.add (local.get $b0)
          (i32.and (i32.sub (local.get $b1) (local.get $b0)) (i32.const -4))))
        (block $done4 (loop $next4
          (br_if $done4 (i32.ge_u (local.get $j) (local.get $n4)))
          (local.set $d ${S.dist})
          (local.set $p (i32.add (local.get $p) (local.get $ws)))
          (local.set $d1 ${S.dist})
          (local.set $p (i32.add (local.get $p) (local.get $ws)))
          (local.set $d2 ${S.dist})
          (local.set $p (i32.add (local.get $p) (local.get $ws)))
          (local.set $d3 ${S.dist})
          (local.set $p (i32.add (local.get $p) (local.get $ws)))
          (if (i32.or
                (i32.or (i32.lt_u (local.get $d) (local.get $lim)) (i32.lt_u (local.get $d1) (local.get $lim)))
                (i32.or (i32.lt_u (local.get $d2) (local.get $lim)) (i32.lt_u (local.get $d3) (local.get $lim))))
            (then
              ${keep("$d", "(local.get $j)")}
              ${keep("$d1", "(i32.add (local.get $j) (i32.const 1))")}
              ${keep("$d2", "(i32.add (local.get $j) (i32.const 2))")}
              ${keep("$d3", "(i32.add (local.get $j) (i32.const 3))")}))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $next4)))
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $j) (local.get $b1)))
          (local.set $d ${S.dist})
          ${keep("$d", "(local.get $j)")}
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (local.set $p (i32.add (local.get $p) (local.get $ws)))
          (br $next)))
        (i32.store (local.get $s) (local.get $lim))
        (i32.store offset=4 (local.get $s) (local.get $below))
        (i32.store offset=8 (local.get $s) (local.get $nc))
        (local.set $qi (i32.add (local.get $qi) (i32.const 1)))
        (br $queries)))
      (local.set $b0 (local.get $b1))
      (br $blocks))))

  ;; range search: indices (u32 at $ci) and distances (u16 at $cd) of codes with distance <= $r,
  ;; in index order; returns their number
  (func $range_${s} (export "range_${s}")
    (param $q i32) (param $db i32) (param $n i32) (param $w i32) (param $r i32)
    (param $ci i32) (param $cd i32) (result i32)
    ${LOCALS} (local $nc i32)
    ${S.pro}
    (local.set $p (local.get $db))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
      (local.set $d ${S.dist})
      (if (i32.le_u (local.get $d) (local.get $r)) (then
        (i32.store (i32.add (local.get $ci) (i32.shl (local.get $nc) (i32.const 2))) (local.get $j))
        (i32.store16 (i32.add (local.get $cd) (i32.shl (local.get $nc) (i32.const 1))) (local.get $d))
        (local.set $nc (i32.add (local.get $nc) (i32.const 1)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $w) (i32.const 2))))
      (br $next)))
    (local.get $nc))
`;
}

const wat = `;; GENERATED by scripts/build-wasm.mjs -- edit that script, then run it.
;; Hamming distance kernels for @cmh/hamming-index. Codes are packed little-endian 32-bit words
;; (see src/codes.ts), so two consecutive words read as one i64 give the same bits; padding bits
;; are zero on both sides, so popcount(xor) over whole words is the Hamming distance.
;; Memory is owned and grown by the JavaScript side (src/wasm.ts).
(module
  (memory (export "memory") 1)

  ;; generic distance: $w words at $q and $p (pairs as i64, an odd last word as i32)
  (func $distg (param $q i32) (param $p i32) (param $w i32) (result i32)
    (local $s i64) (local $e i32)
    (local.set $e (i32.add (local.get $q) (i32.shl (i32.and (local.get $w) (i32.const -2)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $q) (local.get $e)))
      (local.set $s (i64.add (local.get $s)
        (i64.popcnt (i64.xor (i64.load (local.get $q)) (i64.load (local.get $p))))))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $next)))
    (if (i32.and (local.get $w) (i32.const 1)) (then
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u
        (i32.popcnt (i32.xor (i32.load (local.get $q)) (i32.load (local.get $p)))))))))
    (i32.wrap_i64 (local.get $s)))
${Object.entries(SPECS)
  .map(([s, S]) => kernels(s, S))
  .join("")}
)
`;

const wabt = await wabtInit();
const mod = wabt.parseWat("kernel.wat", wat, { bulk_memory: true });
mod.validate();
const { buffer } = mod.toBinary({});
const b64 = Buffer.from(buffer).toString("base64");
const lines = b64.match(/.{1,96}/g).map((l) => `  "${l}"`);
const ts = `// GENERATED by scripts/build-wasm.mjs from src/kernel.wat -- do not edit.
/** The Hamming kernel WebAssembly module (${buffer.length} bytes), base64. */
export const KERNEL_WASM_BASE64 =
${lines.join(" +\n")};
`;
const files = [
  [here("../src/kernel.wat"), wat],
  [here("../src/kernel-wasm.ts"), ts],
];
if (process.argv.includes("--check")) {
  for (const [f, text] of files) {
    if (readFileSync(f, "utf8") !== text) {
      console.error(`${f} is out of date: run node scripts/build-wasm.mjs`);
      process.exit(1);
    }
  }
  console.log("kernel.wat and kernel-wasm.ts are up to date");
} else {
  for (const [f, text] of files) writeFileSync(f, text);
  console.log(`wrote kernel.wat and kernel-wasm.ts (${buffer.length} bytes of wasm)`);
}
