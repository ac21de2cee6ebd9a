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
export { hammingDistance, hammingDistances } from "./distance";
