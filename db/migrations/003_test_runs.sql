-- Test runs started from the development-mode Run Tests page (owned by web's dev runner), so the
-- history survives restarts. Report paths are relative to the reports directory; NULL once the
-- run's files were pruned (only the last TEST_REPORTS_KEEP runs per suite keep them).
CREATE TABLE IF NOT EXISTS test_runs (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  suite VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  started_by INT UNSIGNED NULL,
  started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  duration_ms INT UNSIGNED NULL,
  exit_code INT NULL,
  passed INT UNSIGNED NULL,
  failed INT UNSIGNED NULL,
  skipped INT UNSIGNED NULL,
  coverage_pct DECIMAL(5,2) NULL,
  run_dir VARCHAR(255) NULL,
  log_path VARCHAR(255) NULL,
  report_path VARCHAR(255) NULL,
  coverage_path VARCHAR(255) NULL,
  KEY test_runs_suite (suite, id),
  CONSTRAINT test_runs_started_by FOREIGN KEY (started_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
