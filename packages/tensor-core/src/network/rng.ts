import { Xoshiro128 } from "@cmh/hamming-index";

/** A seeded pseudo-random generator (xoshiro128**), deterministic across platforms. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [lo, hi). */
  uniformIn(lo: number, hi: number): number;
  /** Standard normal (Box-Muller), or N(mean, std²). */
  normal(mean?: number, std?: number): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
  /** Shuffle an array in place (Fisher-Yates) and return it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array;
  /** `k` distinct indices from [0, n), in random order. */
  choice(n: number, k: number): Uint32Array;
  /** A 31-bit integer seed drawn from this generator (for tfjs ops that take a seed). */
  seed(): number;
  /** An independent generator derived from this one's stream. */
  fork(): Rng;
  /** Fill `out` with uniform [lo, hi) values. */
  fillUniform(out: Float32Array, lo?: number, hi?: number): Float32Array;
  /** Fill `out` with N(mean, std²) values. */
  fillNormal(out: Float32Array, mean?: number, std?: number): Float32Array;
}

/**
 * The training flavour of the project's generator: xoshiro128** from `@cmh/hamming-index` (one
 * implementation for every package) with Box–Muller normals and `floor(u·n)` integers. The data
 * flavour (`Rng` of `@cmh/hamming-index` / `@cmh/datasets`) shares the stream but samples
 * integers and normals differently; both keep their historical sequences.
 */
class Xoshiro extends Xoshiro128 implements Rng {
  private spare: number | undefined;

  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  normal(mean = 0, std = 1): number {
    let z: number;
    if (this.spare !== undefined) {
      z = this.spare;
      this.spare = undefined;
    } else {
      let u = 0;
      while (u === 0) u = this.uniform();
      const v = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      this.spare = r * Math.sin(2 * Math.PI * v);
    }
    return mean + std * z;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new RangeError(`int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  choice(n: number, k: number): Uint32Array {
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`choice(n, k) needs an integer 0 <= k <= n, got n=${n}, k=${k}`);
    }
    if (k * 4 < n) {
      const seen = new Set<number>();
      const out = new Uint32Array(k);
      let m = 0;
      while (m < k) {
        const j = this.int(n);
        if (!seen.has(j)) {
          seen.add(j);
          out[m++] = j;
        }
      }
      return out;
    }
    return this.permutation(n).slice(0, k);
  }

  seed(): number {
    return this.nextU32() >>> 1;
  }

  fork(): Rng {
    return new Xoshiro(this.nextU32() ^ 0x5bd1e995);
  }

  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }
}

/** Create a seeded generator; the same seed gives the same stream on every platform. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return new Xoshiro(Math.floor(seed) >>> 0);
}
