-- Tutorial mode (owned by services/models, src/serving.ts): which published name serve's keyless,
-- tutorial-compatible POST /predict and /update answer for, chosen on the Published page. No row:
-- serve uses SEED_MODEL_NAME (the default before anyone chose); a row with name NULL: turned off.
-- Changes bump serving_changes, so serve picks them up like a publish, without a restart.
CREATE TABLE IF NOT EXISTS tutorial_mode (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(64) NULL,
  updated_by INT UNSIGNED NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
