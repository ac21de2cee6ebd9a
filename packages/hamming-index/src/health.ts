/**
 * Code health: is a set of binary codes usable for retrieval, or collapsed?
 *
 * A method can reach a non-trivial mAP number with codes that barely vary (a few distinct codes,
 * most bits constant); these statistics make that visible. One place, used by every fit report,
 * the conformance suite and the bench.
 */
import { type BinaryCodes, validateCodes, wordsPerCode } from "./codes";

/** Statistics of one set of codes (see `codeHealth`). */
export interface CodeHealth {
  /** Number of codes. */
  readonly n: number;
  /** Bits per code. */
  readonly bits: number;
  /** Number of distinct codes. */
  readonly distinct: number;
  /** distinct / n (1 when every code differs; 0 for an empty set). */
  readonly distinctShare: number;
  /** Bits that take the same value in every code. */
  readonly constantBits: number;
  /** Largest |mean| over bits of the ±1 values (0 = balanced, 1 = constant). */
  readonly maxAbsBitMean: number;
  /** Mean over bits of the binary entropy of each bit (bits; 1 = balanced, 0 = constant). */
  readonly meanBitEntropy: number;
  /** True when the codes are collapsed by `COLLAPSE_RULE`. */
  readonly collapsed: boolean;
  /** Why the codes count as collapsed (empty when healthy). */
  readonly reason: string;
}

/**
 * The collapse rule: fewer than 1 % distinct codes (among at least 100 codes), or more than half of
 * the bits constant. Either one leaves Hamming ranking with too few distinct distances to rank by.
 */
export const COLLAPSE_RULE = Object.freeze({ minDistinctShare: 0.01, maxConstantBitShare: 0.5 });

function entropy2(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

/** Share of distinct codes, constant bits, largest |bit mean| and mean bit entropy of `codes`. */
export function codeHealth(codes: BinaryCodes): CodeHealth {
  validateCodes(codes);
  const { n, bits, words } = codes;
  const w = wordsPerCode(bits);
  const ones = new Float64Array(bits);
  const seen = new Set<string>();
  for (let j = 0; j < n; j++) {
    const base = j * w;
    let key = "";
    for (let k = 0; k < w; k++) {
      let x = words[base + k];
      key += `${x.toString(36)},`;
      let i = k << 5;
      while (x !== 0) {
        if (x & 1) ones[i]++;
        x >>>= 1;
        i++;
      }
    }
    seen.add(key);
  }
  let constantBits = 0;
  let maxAbsBitMean = 0;
  let entropySum = 0;
  for (let i = 0; i < bits; i++) {
    const p = n > 0 ? ones[i] / n : 0;
    if (n > 0 && (ones[i] === 0 || ones[i] === n)) constantBits++;
    maxAbsBitMean = Math.max(maxAbsBitMean, Math.abs(2 * p - 1));
    entropySum += entropy2(p);
  }
  const distinct = seen.size;
  const distinctShare = n > 0 ? distinct / n : 0;
  const reasons: string[] = [];
  if (n >= 100 && distinctShare < COLLAPSE_RULE.minDistinctShare)
    reasons.push(`${distinct} distinct codes among ${n}`);
  if (n > 1 && constantBits > bits * COLLAPSE_RULE.maxConstantBitShare)
    reasons.push(`${constantBits} of ${bits} bits constant`);
  return {
    n,
    bits,
    distinct,
    distinctShare,
    constantBits,
    maxAbsBitMean: n > 0 ? maxAbsBitMean : 0,
    meanBitEntropy: bits > 0 ? entropySum / bits : 0,
    collapsed: reasons.length > 0,
    reason: reasons.join("; "),
  };
}

/** One line for logs and reports, e.g. "distinct 98.0 %, constant bits 0/32, max |mean| 0.21, entropy 0.97". */
export function formatCodeHealth(h: CodeHealth): string {
  const s = `distinct ${(100 * h.distinctShare).toFixed(1)} %, constant bits ${h.constantBits}/${h.bits}, max |mean| ${h.maxAbsBitMean.toFixed(2)}, entropy ${h.meanBitEntropy.toFixed(2)}`;
  return h.collapsed ? `COLLAPSED (${h.reason}); ${s}` : s;
}
