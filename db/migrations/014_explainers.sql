-- Explanations (issue 18). models.explainer: the explainer artefact viz's training writes beside the
-- ONNX graph (the fitted preprocessing and estimator as JSON state, the background the contributions
-- are measured from; gzip'd and base64'd behind a 'gz1:' tag, see services/ml/src/explain/explainer.ts).
-- NULL for models trained before it: they cannot be explained until retrained.
-- predictions.contributions: for a prediction asked with "explain": true, its base value and
-- contributions per original column as the API answered them (JSON); NULL otherwise.
ALTER TABLE models ADD COLUMN explainer LONGTEXT NULL;
ALTER TABLE predictions ADD COLUMN contributions LONGTEXT NULL;
