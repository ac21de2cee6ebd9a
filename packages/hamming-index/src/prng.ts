// The project's seeded pseudo-random generators, kept in this dependency-free package so that every
// other package (datasets, metrics, tensor-core, the bench) draws from one implementation.

/**
 * mulberry32 as a stream of unsigned 32-bit integers: a tiny, fast generator for test data,
 * benchmarks and random starts (not for sampling that needs long periods).
 */
export function mulberry32Words(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** mulberry32 as a stream of uniform floats in [0, 1) (each word divided by 2^32). */
export function mulberry32(seed: number): () => number {
  const next = mulberry32Words(seed);
  return () => next() / 4294967296;
}

/**
 * The xoshiro128** generator with 53-bit uniforms; its 128-bit state is filled by splitmix32 from
 * a 32-bit word. Only integer ops, `Math.imul` and exact float arithmetic are used, so the same
 * word gives the same stream on every machine. `Rng` (here) and tensor-core's `createRng` build on it.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seed from a 32-bit word (any number; only its low 32 bits are used). */
  constructor(word: number) {
    let x = word >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits (two 32-bit draws). */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/**
 * Deterministic PRNG for data generation and splits: xoshiro128** seeded from all 53 bits of the
 * seed, with rejection-sampled integers (no modulo bias) and Marsaglia-polar normals (`log` and
 * `sqrt` only; V8's `Math.log` is a software fdlibm port, so results do not depend on the CPU or
 * OS). Same seed, same numbers, on every machine. tensor-core's `createRng` is the training
 * flavour (32-bit seeds, Box–Muller normals, `floor(u·n)` integers) on the same generator.
 */
export class Rng extends Xoshiro128 {
  private spare: number | undefined = undefined;

  /** Seed with any integer in [0, 2^53); the high and low 32-bit halves both matter. */
  constructor(seed: number) {
    super(seedWord(seed));
  }

  /** Uniform integer in [0, n) (rejection sampling, no modulo bias), n ≤ 2^32. */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** Standard normal deviate (Marsaglia polar method: log and sqrt only, no trigonometry). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** Fold a safe non-negative integer seed into the 32-bit word that seeds xoshiro128**. */
function seedWord(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`Rng: seed must be a non-negative safe integer, got ${seed}`);
  }
  return (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b1);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
