export { Matrix } from './matrix.js';
export * from './estimator.js';
export * from './onnx/graph.js';
export { exportPipelineToOnnx } from './onnx/export.js';
export { classificationTarget, regressionTarget, takeTarget } from './target.js';
export { RandomState } from './random/random-state.js';
export { StandardScaler, StandardScalerModel } from './preprocessing/standard-scaler.js';
export { Pipeline, PipelineModel, fitPreprocessing, type Preprocessing, type FittedPreprocessing } from './pipeline.js';
export { trainTestSplit, type Split } from './model-selection/train-test-split.js';
export { kFold, stratifiedKFold } from './model-selection/folds.js';
export { expandGrid, arange, type ParamGrid, type ParamSet, type ParamValue } from './model-selection/param-grid.js';
export { score, planTasks } from './model-selection/cv-tasks.js';
export {
  gridSearchCV,
  gridSearchToOnnx,
  cvFolds,
  type GridSearchOptions,
  type GridSearchResult,
  type GridSearchExport,
  type CandidateResult,
} from './model-selection/grid-search.js';
export { WorkerPool, MemoryLimitError, sharedPool, type WorkerPoolLimits } from './model-selection/worker-pool.js';
export {
  compareModels,
  subsampleOrder,
  type CompareOptions,
  type CompareResult,
  type EnsembleScore,
  type LeaderboardEntry,
} from './model-selection/compare.js';
export {
  SEARCH_SPACES,
  comparableModels,
  drawParams,
  perturbParams,
  randomCandidates,
  sampleCandidates,
  type Distribution,
  type SearchSpace,
} from './model-selection/search-spaces.js';
export * from './metrics/classification.js';
export * from './metrics/regression.js';
export * from './metrics/curves.js';
export * from './metrics/calibration.js';
export * from './metrics/drift.js';
export { KNeighborsClassifier, KNeighborsRegressor } from './neighbors/knn.js';
export { GaussianNB } from './naive-bayes/gaussian-nb.js';
export { LinearRegression } from './linear/linear-regression.js';
export { Ridge } from './linear/ridge.js';
export { Lasso } from './linear/lasso.js';
export { LogisticRegression } from './linear/logistic-regression.js';
export { LinearSVC } from './linear/linear-svc.js';
export { LinearSVR } from './linear/linear-svr.js';
export {
  MODELS,
  PER_DECADE,
  modelSpec,
  defaultGrid,
  logValues,
  scaleValues,
  sliderValues,
  type ModelSpec,
  type Hyperparameter,
  type RangeScale,
} from './registry.js';
export {
  RandomForestClassifier,
  RandomForestRegressor,
  RandomForestClassifierModel,
  RandomForestRegressorModel,
  type RandomForestParams,
} from './ensemble/random-forest.js';
export {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  GradientBoostingClassifierModel,
  GradientBoostingRegressorModel,
  type GradientBoostingParams,
} from './ensemble/gradient-boosting.js';
export {
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  HistGradientBoostingClassifierModel,
  HistGradientBoostingRegressorModel,
  type HistGradientBoostingParams,
} from './ensemble/hist-gradient-boosting.js';
export {
  VOTING_MODEL_TYPE,
  VotingClassifierModel,
  VotingRegressorModel,
  fitVoting,
  pickVotingMembers,
  votingCvScores,
  type RankedCandidate,
  type VotingMember,
} from './ensemble/voting.js';
export { SVC, SvcModel, type SvcParams } from './svm/svc.js';
export { SVR, SvrModel, type SvrParams } from './svm/svr.js';
export {
  tableFromColumns,
  tableFromRecords,
  compareCodePoints,
  UNSEEN,
  type InputColumn,
  type NumericInput,
  type CategoricalInput,
  type RawColumn,
  type Table,
} from './preprocessing/table.js';
export {
  SimpleImputer,
  SimpleImputerModel,
  NUMERIC_STRATEGIES,
  type NumericStrategy,
  type SimpleImputerParams,
} from './preprocessing/simple-imputer.js';
export {
  StringImputer,
  StringImputerModel,
  OneHotEncoder,
  OneHotEncoderModel,
  OneHotColumn,
  OrdinalEncoder,
  OrdinalEncoderModel,
  OrdinalColumn,
  CATEGORICAL_STRATEGIES,
  DEFAULT_FILL,
  type CategoricalStrategy,
  type OneHotParams,
  type OrdinalParams,
  type ColumnCoding,
} from './preprocessing/categorical.js';
export {
  ColumnTransformer,
  ColumnTransformerModel,
  PREPROCESS_DEFAULTS,
  NUMERIC_INPUT,
  onnxInputNames,
  type PreprocessParams,
  type ColumnTransformerSpec,
  type Encoding,
} from './preprocessing/column-transformer.js';
export { DATE_PARTS, datePart, datePartColumn, type DatePart } from './preprocessing/date-parts.js';
export {
  estimateTrainingMemory,
  maxRowsWithin,
  formatBytes,
  MEMORY_FAMILY,
  type JobShape,
  type MemoryEstimate,
  type ModelFamily,
} from './memory-estimate.js';
export {
  treeShap,
  treeShapByPaths,
  treeShapInteractions,
  treeSumOf,
  expectation as treeExpectation,
  TreeExplainer,
  type Condition,
  type TreeSum,
  type TreeModel,
} from './explain/tree-shap.js';
export { contributionsOf, emptyContributions, type Contributions } from './explain/contributions.js';
export { linearShap, backgroundMean, type LinearModel } from './explain/linear-shap.js';
export { sumByGroup, byOriginalColumn } from './explain/groups.js';
export {
  samplingShap,
  type Predict,
  type SampledContributions,
  type SamplingOptions,
} from './explain/sampling-shap.js';
export {
  buildExplainer,
  explainRows,
  loadExplainer,
  withExplainerColumns,
  serialiseExplainer,
  parseExplainer,
  Explainer,
  type ExplainerArtefact,
  type ExplainerKind,
  type ExplainerColumn,
  type ExplainedUnits,
  type ExplainedOutput,
  type RowExplanation,
  type BuildOptions as ExplainerBuildOptions,
  type ExplainOptions,
  type Link as ExplainerLink,
} from './explain/explainer.js';
export { toState, fromState, type State } from './explain/state.js';
