-- Class label names (issue 17): a dataset's names for its target's classes, as JSON {"0": "malignant", …},
-- copied into each model trained from it, so pages and the prediction API can name the classes.
-- A refused load names the column it stopped at and what would work there, so the upload preview
-- can show the error beside that column. One ALTER per table: each applies whole or not at all.
ALTER TABLE datasets ADD COLUMN class_labels TEXT NULL;
ALTER TABLE models ADD COLUMN class_labels TEXT NULL;
ALTER TABLE dataset_loads ADD COLUMN error_column VARCHAR(64) NULL, ADD COLUMN error_hint VARCHAR(500) NULL;
