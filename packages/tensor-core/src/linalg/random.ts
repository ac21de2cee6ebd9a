// Small seeded generator for the linalg tools' random starts (internal; not exported).
import { mulberry32 } from "@cmh/hamming-index";

/** Returns a function producing standard normal deviates from a 32-bit seed (mulberry32 + Box–Muller). */
export function gaussianSource(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = Number.NaN;
      return s;
    }
    let u = uniform();
    while (u <= 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
