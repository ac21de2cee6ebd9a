/**
 * Byte-level mutations of valid files for property-based fuzzing of loaders (fast-check). A case
 * is a short list of mutations (truncate, flip a bit, set a byte, splice a chunk over another
 * place, grow by inserted bytes, swap two chunks, or replace the whole file by random bytes);
 * positions are drawn as naturals and taken modulo the length when applied, so one arbitrary
 * serves files of any size. fast-check prints the seed and the shrunk case of a failure.
 */
import fc from "fast-check";

/** One mutation of a byte string. */
export type Mutation =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly value: number }
  | { readonly kind: "splice"; readonly from: number; readonly to: number; readonly len: number }
  | { readonly kind: "grow"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "swap"; readonly a: number; readonly b: number; readonly len: number }
  | { readonly kind: "random"; readonly bytes: Uint8Array };

/** Cases per loader: `CMH_FUZZ_RUNS` when set (the long run), else `ciRuns`. */
export function fuzzRuns(ciRuns: number): number {
  const env = Number(process.env.CMH_FUZZ_RUNS);
  return Number.isInteger(env) && env > 0 ? env : ciRuns;
}

const pos = fc.nat({ max: 1 << 30 });

/** One mutation (see `Mutation`); byte runs up to 64 bytes. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: pos }),
  fc.record({ kind: fc.constant("flip" as const), at: pos, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    at: pos,
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("splice" as const),
    from: pos,
    to: pos,
    len: fc.integer({ min: 1, max: 64 }),
  }),
  fc.record({
    kind: fc.constant("grow" as const),
    at: pos,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant("swap" as const),
    a: pos,
    b: pos,
    len: fc.integer({ min: 1, max: 32 }),
  }),
  fc.record({ kind: fc.constant("random" as const), bytes: fc.uint8Array({ maxLength: 512 }) }),
);

/** A case: one to three mutations applied in order. */
export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(mutationArb, {
  minLength: 1,
  maxLength: 3,
});

/** Apply one mutation to a copy of `b`. */
export function applyMutation(b: Uint8Array, m: Mutation): Uint8Array {
  const n = b.length;
  switch (m.kind) {
    case "truncate":
      return b.slice(0, n === 0 ? 0 : m.at % n);
    case "flip": {
      if (n === 0) return b.slice();
      const out = b.slice();
      out[m.at % n] ^= 1 << m.bit;
      return out;
    }
    case "set": {
      if (n === 0) return b.slice();
      const out = b.slice();
      out[m.at % n] = m.value;
      return out;
    }
    case "splice": {
      if (n === 0) return b.slice();
      const from = m.from % n;
      const to = m.to % n;
      const chunk = b.slice(from, Math.min(n, from + m.len));
      const out = b.slice();
      out.set(chunk.subarray(0, Math.min(chunk.length, n - to)), to);
      return out;
    }
    case "grow": {
      const at = m.at % (n + 1);
      const out = new Uint8Array(n + m.bytes.length);
      out.set(b.subarray(0, at), 0);
      out.set(m.bytes, at);
      out.set(b.subarray(at), at + m.bytes.length);
      return out;
    }
    case "swap": {
      if (n < 2) return b.slice();
      const len = Math.min(m.len, Math.floor(n / 2));
      let a = m.a % (n - len + 1);
      let c = m.b % (n - len + 1);
      if (a > c) [a, c] = [c, a];
      if (c < a + len) c = Math.min(n - len, a + len);
      if (c < a + len) return b.slice();
      const out = b.slice();
      out.set(b.subarray(c, c + len), a);
      out.set(b.subarray(a, a + len), c);
      return out;
    }
    default:
      return m.bytes.slice();
  }
}

/** Apply mutations in order to a copy of `b`. */
export function applyMutations(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = b;
  for (const m of ms) out = applyMutation(out, m);
  return out === b ? b.slice() : out;
}

/**
 * Resolve after pending I/O and timers have run (every 64th call): long runs of synchronous
 * cases call it so the test runner's worker can still answer its RPC heartbeats.
 */
let ticks = 0;
export function breathe(): Promise<void> {
  return ++ticks % 64 === 0 ? new Promise((r) => setImmediate(r)) : Promise.resolve();
}

/** True when two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
