import type { BinaryCodes } from "@cmh/hamming-index";
import {
  evaluatePacked,
  type MetricOptions,
  type MetricVariants,
  type RetrievalMetrics,
  resolveOptions,
  variantsOf,
} from "./evaluate";
import { type LabelInput, packLabelPair } from "./labels";

/** A retrieval direction: image->text, text->image, image->image, text->text. */
export type Direction = "i2t" | "t2i" | "i2i" | "t2t";

/** All four directions, in the order they are evaluated and reported. */
export const ALL_DIRECTIONS: readonly Direction[] = ["i2t", "t2i", "i2i", "t2t"];

/** Query and database codes of one modality. */
export interface ModalityCodes {
  query?: BinaryCodes;
  database?: BinaryCodes;
}

/** Input of `evaluateCrossModal`. Row i of each query set shares `queryLabels` row i. */
export interface CrossModalInput extends MetricOptions {
  image: ModalityCodes;
  text: ModalityCodes;
  queryLabels: LabelInput;
  databaseLabels: LabelInput;
  /** Directions to evaluate; default all four. */
  directions?: readonly Direction[];
}

/** Result of `evaluateCrossModal`: one entry per evaluated direction, plus the conventions used. */
export interface CrossModalMetrics {
  i2t?: RetrievalMetrics;
  t2i?: RetrievalMetrics;
  i2i?: RetrievalMetrics;
  t2t?: RetrievalMetrics;
  /** The directions evaluated, in order. */
  directions: Direction[];
  /** Label facts shared by all directions. */
  labels: {
    numLabels: number;
    queries: number;
    database: number;
    /** Fraction of (query, database) pairs that are relevant. */
    relevantPairRate: number;
  };
  variants: MetricVariants;
}

const SOURCES: Record<Direction, ["image" | "text", "image" | "text"]> = {
  i2t: ["image", "text"],
  t2i: ["text", "image"],
  i2i: ["image", "image"],
  t2t: ["text", "text"],
};

/**
 * Evaluate every retrieval direction a cross-modal run needs (image->text, text->image,
 * image->image, text->text; or the chosen `directions`) with one set of options. Returns plain JSON.
 */
export function evaluateCrossModal(input: CrossModalInput): CrossModalMetrics {
  if (input === null || typeof input !== "object") {
    throw new TypeError(
      "evaluateCrossModal expects { image: { query, database }, text: { query, database }, queryLabels, databaseLabels }",
    );
  }
  const directions = [...(input.directions ?? ALL_DIRECTIONS)];
  if (directions.length === 0) throw new RangeError("directions must name at least one direction");
  for (const d of directions) {
    if (!(d in SOURCES)) {
      throw new RangeError(
        `unknown direction ${JSON.stringify(d)}; expected one of ${ALL_DIRECTIONS.join(", ")}`,
      );
    }
  }
  if (new Set(directions).size !== directions.length) {
    throw new RangeError(`directions repeat a direction: ${directions.join(", ")}`);
  }
  const codesFor = (modality: "image" | "text", role: "query" | "database", d: Direction) => {
    const c = input[modality]?.[role];
    if (!c)
      throw new TypeError(`direction ${d} needs ${modality}.${role} codes, which are missing`);
    return c;
  };
  const packed = packLabelPair(input.queryLabels, input.databaseLabels);
  const first = directions[0];
  const options = resolveOptions(input, codesFor(SOURCES[first][1], "database", first).n);
  const result: CrossModalMetrics = {
    directions,
    labels: {
      numLabels: packed.query.numLabels,
      queries: packed.query.n,
      database: packed.database.n,
      relevantPairRate: 0,
    },
    variants: variantsOf(options),
  };
  for (const d of directions) {
    const [qm, dm] = SOURCES[d];
    result[d] = evaluatePacked(
      codesFor(qm, "query", d),
      codesFor(dm, "database", d),
      packed.query,
      packed.database,
      options,
      { query: `${qm}.query`, database: `${dm}.database` },
    );
  }
  result.labels.relevantPairRate = (result[directions[0]] as RetrievalMetrics).relevantPairRate;
  return result;
}
