/** The SHA-256 identity of the data a cell ran on, compared across machines and result folders. */
import { createHash } from "node:crypto";
import type { DatasetIdentity } from "./dataset";

/** The value with object keys sorted (a stable JSON form). */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** SHA-256 of a dataset identity (items, split, sizes, generator or file hashes; no paths). */
export function dataHash(identity: DatasetIdentity): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(identity)))
    .digest("hex");
}
