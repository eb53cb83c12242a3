-- The dataset catalog (owned by services/data). Each dataset's rows live in their own table
-- (table_name, named by the service, never from user text); a reload writes a new table and
-- switches table_name and version in one row update.
CREATE TABLE IF NOT EXISTS datasets (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  title VARCHAR(200) NOT NULL,
  origin VARCHAR(8) NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  target VARCHAR(64) NULL,
  task VARCHAR(16) NULL,
  columns_json LONGTEXT NOT NULL,
  stats_json LONGTEXT NULL,
  row_count BIGINT UNSIGNED NOT NULL DEFAULT 0,
  version INT UNSIGNED NOT NULL DEFAULT 1,
  created_by INT UNSIGNED NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY datasets_name (name),
  UNIQUE KEY datasets_table (table_name),
  CONSTRAINT datasets_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Loads in progress and their outcome, so any web replica can report progress.
CREATE TABLE IF NOT EXISTS dataset_loads (
  id CHAR(32) NOT NULL PRIMARY KEY,
  dataset_name VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  rows_done BIGINT UNSIGNED NOT NULL DEFAULT 0,
  bytes_done BIGINT UNSIGNED NOT NULL DEFAULT 0,
  bytes_total BIGINT UNSIGNED NOT NULL DEFAULT 0,
  error TEXT NULL,
  dataset_id INT UNSIGNED NULL,
  created_by INT UNSIGNED NULL,
  started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  heartbeat_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  finished_at TIMESTAMP NULL DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
