-- What a model's ONNX graph reads (one input per original column, with kinds, known categories and
-- imputed values) and the preprocessing it was trained with. NULL for models trained before mixed
-- tables: their graph reads one float matrix X in the order of `features`.
ALTER TABLE models ADD COLUMN inputs LONGTEXT NULL, ADD COLUMN preprocessing LONGTEXT NULL;
