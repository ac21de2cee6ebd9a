/**
 * The single registry of methods the bench knows. One line per method: its display name, the
 * package that provides it, whether it is supervised (it must agree with the class's metadata;
 * a test checks), and a lazy loader of its `HasherClass` (packages load only when a run needs them).
 *
 * Adding a method = a new package plus one line here, inserted right before the
 * `cmh:registry-end` marker (the scaffolder does both). Only methods that exist are listed: a
 * method not implemented yet is absent, never faked.
 */
import type { HasherClass } from "@cmh/tensor-core";

/** One registered method. */
export interface MethodEntry {
  /** Display name, equal to the class's `methodName` (e.g. "CCA-ITQ", "UGACH"). */
  readonly name: string;
  /** npm package that provides it. */
  readonly package: string;
  /** True when fit needs labels (the class's `meta.supervised`). */
  readonly supervised: boolean;
  /** Loads the method's class on first use. */
  readonly load: () => Promise<HasherClass<object>>;
}

// biome-ignore format: one line per method; the scaffolder inserts new lines before the end marker.
export const REGISTRY: readonly MethodEntry[] = [
{ name: "CCA-ITQ", package: "@cmh/baselines", supervised: false, load: async () => (await import("@cmh/baselines")).CCAITQ },
{ name: "CMIMH", package: "@cmh/cmimh", supervised: false, load: async () => (await import("@cmh/cmimh")).CMIMH },
{ name: "DSPAH", package: "@cmh/dspah", supervised: true, load: async () => (await import("@cmh/dspah")).DSPAH },
{ name: "SGEH", package: "@cmh/sgeh", supervised: false, load: async () => (await import("@cmh/sgeh")).SGEH },
{ name: "UCH", package: "@cmh/uch", supervised: false, load: async () => (await import("@cmh/uch")).UCH },
{ name: "UGACH", package: "@cmh/ugach", supervised: false, load: async () => (await import("@cmh/ugach")).UGACH },
// cmh:registry-end
];

/** Find registered methods by name (case-insensitive); throws naming the known ones otherwise. */
export function selectMethods(
  names: readonly string[] | undefined,
  registry: readonly MethodEntry[] = REGISTRY,
): MethodEntry[] {
  if (names === undefined) return [...registry];
  const out: MethodEntry[] = [];
  for (const name of names) {
    const entry = registry.find((e) => e.name.toLowerCase() === name.toLowerCase());
    if (!entry) {
      const known = registry.length === 0 ? "none yet" : registry.map((e) => e.name).join(", ");
      throw new Error(`Unknown method "${name}". Registered methods: ${known}.`);
    }
    if (!out.includes(entry)) out.push(entry);
  }
  return out;
}
