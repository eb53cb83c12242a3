-- Serving (owned by services/models, src/serving.ts): published names, their version history,
-- API keys and the prediction log.

-- One row per published name: the model it points at now and its version counter (1, 2, … one
-- step per publish or rollback).
CREATE TABLE IF NOT EXISTS published_models (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  model_id BIGINT UNSIGNED NOT NULL,
  version INT UNSIGNED NOT NULL,
  updated_by INT UNSIGNED NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every version a name has had, newest last.
CREATE TABLE IF NOT EXISTS published_model_versions (
  name VARCHAR(64) NOT NULL,
  version INT UNSIGNED NOT NULL,
  model_id BIGINT UNSIGNED NOT NULL,
  action VARCHAR(16) NOT NULL,
  created_by INT UNSIGNED NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (name, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- API keys: only the SHA-256 of the (random, 256-bit) key is kept. scope_name NULL = every name.
CREATE TABLE IF NOT EXISTS api_keys (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  key_hash CHAR(64) NOT NULL,
  prefix VARCHAR(16) NOT NULL,
  label VARCHAR(100) NOT NULL,
  scope_name VARCHAR(64) NULL,
  created_by INT UNSIGNED NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  revoked_at TIMESTAMP(3) NULL DEFAULT NULL,
  UNIQUE KEY api_keys_hash (key_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row that every publish, rollback, key creation and revocation bumps in the same
-- transaction: serve polls it (≤ 1 s) and reloads names and keys when it moves.
CREATE TABLE IF NOT EXISTS serving_changes (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  counter BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO serving_changes (id, counter) VALUES (1, 0);

-- Every prediction served, committed before its answer; the client's id is unique per name.
CREATE TABLE IF NOT EXISTS predictions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  model_name VARCHAR(64) NOT NULL,
  model_id BIGINT UNSIGNED NOT NULL,
  version INT UNSIGNED NOT NULL,
  client_id VARCHAR(128) NOT NULL,
  observation LONGTEXT NOT NULL,
  output LONGTEXT NOT NULL,
  latency_ms DOUBLE NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  outcome LONGTEXT NULL,
  outcome_at TIMESTAMP(3) NULL DEFAULT NULL,
  UNIQUE KEY predictions_client (model_name, client_id),
  KEY predictions_time (model_name, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
