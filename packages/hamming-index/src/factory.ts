import { readFileSync } from "node:fs";
import type { HammingIndex } from "./base";
import { FlatIndex, type IndexOptions } from "./flat";
import { KIND_FLAT, parseIndex } from "./io";
import { MultiIndexHashing } from "./mih";

/**
 * Build an empty index from a spec string: "Flat", "MIH" (automatic m) or "MIH<m>" (e.g. "MIH4").
 */
export function indexFactory(bits: number, spec: string, options: IndexOptions = {}): HammingIndex {
  if (spec === "Flat") return new FlatIndex(bits, options);
  const mm = /^MIH([1-9][0-9]*)?$/.exec(spec);
  if (mm) return new MultiIndexHashing(bits, { ...options, m: mm[1] ? Number(mm[1]) : 0 });
  throw new RangeError(
    `unknown index spec ${JSON.stringify(spec)}: expected "Flat", "MIH" or "MIH<m>" (e.g. "MIH4")`,
  );
}

/** Rebuild an index from bytes in the on-disk format (checked: magic, version, checksum, sizes). */
export function deserializeIndex(bytes: Uint8Array, options: IndexOptions = {}): HammingIndex {
  const p = parseIndex(bytes);
  let index: HammingIndex;
  try {
    index =
      p.kind === KIND_FLAT
        ? new FlatIndex(p.bits, options)
        : new MultiIndexHashing(p.bits, { ...options, m: p.param });
  } catch (e) {
    throw new Error(`cannot load index data: ${(e as Error).message}`);
  }
  index.add({ n: p.n, bits: p.bits, words: p.words });
  return index;
}

/** Load an index saved with `save(path)`; a truncated, corrupted or foreign file throws. */
export function loadIndex(path: string, options: IndexOptions = {}): HammingIndex {
  const bytes = readFileSync(path);
  try {
    return deserializeIndex(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      options,
    );
  } catch (e) {
    throw new Error((e as Error).message.replace("index data", path));
  }
}
