export { type CcaModel, type CcaOptions, ccaTransform, fitCca } from "./cca";
export {
  CCAITQ,
  type CCAITQConfig,
  type CcaItqModel,
  type CcaItqOptions,
  type CcaRotation,
  ccaItqProject,
  fitCcaItq,
} from "./cca-itq";
export { type ItqOptions, itq, itqStep, quantizationLoss, randomRotation } from "./itq";
