export {
  ALL_DIRECTIONS,
  type CrossModalInput,
  type CrossModalMetrics,
  type Direction,
  evaluateCrossModal,
  type ModalityCodes,
} from "./cross-modal";
export {
  type ApAtKVariant,
  DEFAULT_K,
  DEFAULT_PRECISION_AT_N,
  evaluateRetrieval,
  type MetricOptions,
  type MetricVariants,
  meanAveragePrecision,
  type PrecisionAtNCurve,
  type RadiusPrCurve,
  type RetrievalInput,
  type RetrievalMetrics,
  type TopK,
  type ZeroRelevanceRule,
} from "./evaluate";
export {
  type ClassLabels,
  type LabelInput,
  type MultiHotLabels,
  type PackedLabels,
  packLabelPair,
} from "./labels";
