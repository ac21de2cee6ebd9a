import { readFileSync } from "node:fs";
import type { HammingIndex } from "./base";
import { FlatIndex, type IndexOptions } from "./flat";
import { IndexFormatError, KIND_FLAT, parseIndex } from "./io";
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
export function deserializeIndex(
  bytes: Uint8Array,
  options: IndexOptions = {},
  source = "index data",
): HammingIndex {
  const p = parseIndex(bytes, source);
  let index: HammingIndex;
  try {
    index =
      p.kind === KIND_FLAT
        ? new FlatIndex(p.bits, options)
        : new MultiIndexHashing(p.bits, { ...options, m: p.param });
  } catch (e) {
    throw new IndexFormatError(`cannot load ${source}: ${(e as Error).message}`);
  }
  index.add({ n: p.n, bits: p.bits, words: p.words });
  return index;
}

/** Load an index saved with `save(path)`; a truncated, corrupted or foreign file throws. */
export function loadIndex(path: string, options: IndexOptions = {}): HammingIndex {
  if (typeof path !== "string" || path === "")
    throw new TypeError(`loadIndex: path must be a non-empty string, got ${JSON.stringify(path)}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a folder, not an index file"
          : code === "ENOTDIR"
            ? "a part of the path is a file, not a folder"
            : code === "EACCES" || code === "EPERM"
              ? "permission denied"
              : (e as Error).message;
    throw new IndexFormatError(`cannot load ${path}: ${why}`);
  }
  return deserializeIndex(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    options,
    path,
  );
}
