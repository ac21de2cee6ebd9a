import { type CrossModalSet, subset, synthetic } from "@cmh/datasets";

/** Options for `tinySet`. */
export interface TinySetOptions {
  /** Training items (default 96). */
  readonly n?: number;
  readonly seed?: number;
  readonly imageDim?: number;
  readonly textDim?: number;
}

/**
 * A tiny structured training set for fast method tests: the default synthetic generator of
 * @cmh/datasets at toy sizes (multi-label latent structure, dense image, sparse BoW text, labels).
 */
export function tinySet(options: TinySetOptions = {}): CrossModalSet {
  const n = options.n ?? 96;
  const d = synthetic({
    seed: options.seed ?? 7,
    nQuery: 8,
    nDatabase: n,
    nTrain: n,
    labelProbabilities: [0.3, 0.25, 0.2, 0.15, 0.1],
    latentDim: 8,
    hiddenDim: 32,
    imageDim: options.imageDim ?? 24,
    textDim: options.textDim ?? 40,
    topicWords: 5,
    wordsPerItem: 4,
  });
  return subset(d.set, d.split.train, "tiny");
}
