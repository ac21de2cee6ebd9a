export { writeFileAtomic, writeFileAtomicSync } from "./atomic";
export type { HammingIndex, RangeSearchResult, SearchResult } from "./base";
export type { BinaryCodes, PackFrom } from "./codes";
export {
  checkBits,
  concatCodes,
  createCodes,
  getBit,
  MAX_BITS,
  MIN_BITS,
  packCodes,
  popcount32,
  selectCodes,
  sliceCodes,
  unpackCodes,
  validateCodes,
  wordsPerCode,
} from "./codes";
export { hammingDistance } from "./distance";
export { deserializeIndex, indexFactory, loadIndex } from "./factory";
export { FlatIndex, type IndexOptions } from "./flat";
export { COLLAPSE_RULE, type CodeHealth, codeHealth, formatCodeHealth } from "./health";
export { crc32, FORMAT_MAGIC, FORMAT_VERSION, IndexFormatError } from "./io";
export { type Backend, hammingDistances, wasmAvailable } from "./kernel";
export { type MihOptions, MultiIndexHashing } from "./mih";
export { mulberry32, mulberry32Words, Rng, Xoshiro128 } from "./prng";
