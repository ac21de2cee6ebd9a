import { writeFileAtomicSync } from "./atomic";
import { checkBits, lastWordMask } from "./codes";

/**
 * On-disk format, version 1 (all integers little-endian):
 *
 * | offset | size | field                                                        |
 * | ------ | ---- | ------------------------------------------------------------ |
 * | 0      | 8    | magic, ASCII "CMHHAMIX"                                      |
 * | 8      | 4    | u32 format version (1)                                       |
 * | 12     | 4    | u32 kind: 1 = Flat, 2 = MultiIndexHashing                    |
 * | 16     | 4    | u32 bits (8..1024)                                           |
 * | 20     | 4    | u32 param: MIH substring count m (0 = automatic); Flat: 0    |
 * | 24     | 8    | u64 n, number of codes (< 2^53)                              |
 * | 32     | 4*n*w| codes: n * ceil(bits/32) u32 words in the BinaryCodes layout |
 * | end-4  | 4    | u32 CRC-32 (IEEE, as zlib) of every preceding byte           |
 */
export const FORMAT_MAGIC = "CMHHAMIX";
/** Current on-disk format version. */
export const FORMAT_VERSION = 1;
const HEADER = 32;

/** Raised for an index file (or bytes) that cannot be loaded: missing, foreign, corrupt, truncated. */
export class IndexFormatError extends Error {
  override readonly name = "IndexFormatError";
}

/** Index kinds recorded in the file header. */
export const KIND_FLAT = 1;
export const KIND_MIH = 2;

let crcTable: Int32Array | undefined;

/** CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let b = 0; b < 8; b++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c;
    }
  }
  const t = crcTable;
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Serialise codes with an index header (see the format table above). */
export function serializeIndex(
  kind: number,
  bits: number,
  param: number,
  store: { n: number; w: number; view(): Uint32Array },
): Uint8Array {
  const body = store.n * store.w * 4;
  const out = new Uint8Array(HEADER + body + 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = FORMAT_MAGIC.charCodeAt(i);
  dv.setUint32(8, FORMAT_VERSION, true);
  dv.setUint32(12, kind, true);
  dv.setUint32(16, bits, true);
  dv.setUint32(20, param, true);
  dv.setUint32(24, store.n % 2 ** 32, true);
  dv.setUint32(28, Math.floor(store.n / 2 ** 32), true);
  const words = store.view();
  for (let i = 0; i < words.length; i++) dv.setUint32(HEADER + 4 * i, words[i], true);
  dv.setUint32(HEADER + body, crc32(out.subarray(0, HEADER + body)), true);
  return out;
}

/** Contents of an index file, checked. */
export interface ParsedIndex {
  kind: number;
  bits: number;
  param: number;
  n: number;
  words: Uint32Array;
}

/** Parse and check an index file (magic, version, kind, bits, size, checksum, padding bits). */
export function parseIndex(bytes: Uint8Array, source = "index data"): ParsedIndex {
  const fail = (msg: string): never => {
    throw new IndexFormatError(`cannot load ${source}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("expected bytes (Uint8Array)");
  if (bytes.length < HEADER + 4) {
    fail(
      `${bytes.length} bytes is shorter than the ${HEADER + 4}-byte minimum (truncated or not an index)`,
    );
  }
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== FORMAT_MAGIC.charCodeAt(i)) {
      fail(`not a @cmh/hamming-index file (magic "${FORMAT_MAGIC}" not found)`);
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== FORMAT_VERSION) {
    fail(
      `format version ${version} is not supported (this package reads version ${FORMAT_VERSION})`,
    );
  }
  const stored = dv.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) {
    fail(
      `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the file is truncated or corrupted`,
    );
  }
  const kind = dv.getUint32(12, true);
  if (kind !== KIND_FLAT && kind !== KIND_MIH) fail(`unknown index kind ${kind}`);
  const bits = dv.getUint32(16, true);
  try {
    checkBits(bits);
  } catch (e) {
    fail((e as Error).message);
  }
  const param = dv.getUint32(20, true);
  if (kind === KIND_FLAT && param !== 0) fail(`Flat index with nonzero parameter ${param}`);
  if (kind === KIND_MIH && param > bits) fail(`MIH substring count ${param} exceeds bits ${bits}`);
  const n = dv.getUint32(24, true) + dv.getUint32(28, true) * 2 ** 32;
  const w = (bits + 31) >>> 5;
  const expected = HEADER + n * w * 4 + 4;
  if (bytes.length !== expected) {
    fail(
      `size ${bytes.length} bytes does not match the header (n = ${n}, bits = ${bits}: ${expected} bytes)`,
    );
  }
  const words = new Uint32Array(n * w);
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(HEADER + 4 * i, true);
  const mask = lastWordMask(bits);
  if (mask !== 0xffffffff) {
    for (let j = 0; j < n; j++) {
      if ((words[j * w + w - 1] & ~mask) !== 0) fail(`code ${j} has padding bits set`);
    }
  }
  return { kind, bits, param, n, words };
}

/** Write `bytes` to `path` atomically: a temporary file in the same folder, then rename. */
export function saveIndex(path: string, bytes: Uint8Array): void {
  writeFileAtomicSync(path, bytes);
}
