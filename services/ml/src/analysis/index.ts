export {
  mutualInfoClassif,
  mutualInfoRegression,
  miContinuousContinuous,
  miContinuousDiscrete,
  miDiscreteDiscrete,
} from './mutual-info.js';
export { pcaExplainedVariance, type PcaResult } from './pca.js';
export { digamma } from './digamma.js';
