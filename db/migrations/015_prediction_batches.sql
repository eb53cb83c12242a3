-- Batch scoring (issue 19): a CSV posted to /v1/models/:name/predict is one batch; each of its rows is
-- logged in `predictions` with the batch's id, so a batch can be counted, listed or removed as one.
-- Owned by services/models (src/prediction-batches.ts); serve writes both (SERVING_GRANTS).
CREATE TABLE IF NOT EXISTS prediction_batches (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  model_name VARCHAR(64) NOT NULL,
  model_id BIGINT UNSIGNED NOT NULL,
  version INT UNSIGNED NOT NULL,
  -- the CSV column whose values are the rows' ids; NULL: ids were generated (<batch id>-<line>)
  id_column VARCHAR(255) NULL,
  -- running, done, failed (the request or the database failed part way: rows_scored were logged)
  status VARCHAR(16) NOT NULL DEFAULT 'running',
  rows_scored BIGINT UNSIGNED NOT NULL DEFAULT 0,
  rows_failed BIGINT UNSIGNED NOT NULL DEFAULT 0,
  message VARCHAR(1000) NULL,
  started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at TIMESTAMP(3) NULL DEFAULT NULL,
  KEY prediction_batches_name (model_name, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One ALTER: applies whole or not at all. NULL for predictions answered one request at a time.
ALTER TABLE predictions ADD COLUMN batch_id BIGINT UNSIGNED NULL, ADD KEY predictions_batch (batch_id);
