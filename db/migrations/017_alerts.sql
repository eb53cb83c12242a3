-- Alerts (owned by services/models, src/alerts.ts): rules per published name, the alerts they fired
-- (the history, open while resolved_at is NULL), the webhook notices to deliver (one per alert and
-- kind: UNIQUE makes "posted once" a property of the table), and the lease that lets exactly one web
-- replica evaluate the rules each minute.

CREATE TABLE IF NOT EXISTS alert_rules (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  model_name VARCHAR(64) NOT NULL,
  -- accuracy, f1, mae (over the last window_size outcomes); drift_share, p99_latency, error_rate,
  -- volume (over the last window_size minutes)
  metric VARCHAR(16) NOT NULL,
  comparison VARCHAR(8) NOT NULL,
  threshold DOUBLE NOT NULL,
  window_size INT UNSIGNED NOT NULL,
  webhook_url VARCHAR(2000) NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  -- The evaluator's state: the alert firing now (NULL: none), and the last value it computed.
  open_alert_id BIGINT UNSIGNED NULL,
  last_value DOUBLE NULL,
  last_evaluated_at TIMESTAMP(3) NULL DEFAULT NULL,
  created_by INT UNSIGNED NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY alert_rules_name (model_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What a rule was when it fired is copied, so the history stays true after the rule is edited or deleted.
CREATE TABLE IF NOT EXISTS alerts (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  rule_id INT UNSIGNED NOT NULL,
  model_name VARCHAR(64) NOT NULL,
  metric VARCHAR(16) NOT NULL,
  comparison VARCHAR(8) NOT NULL,
  threshold DOUBLE NOT NULL,
  window_size INT UNSIGNED NOT NULL,
  value DOUBLE NOT NULL,
  fired_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  resolved_at TIMESTAMP(3) NULL DEFAULT NULL,
  resolved_value DOUBLE NULL,
  -- 'cleared' (the condition no longer holds), 'rule-disabled', 'rule-deleted'
  resolved_reason VARCHAR(16) NULL,
  KEY alerts_open (resolved_at),
  KEY alerts_name (model_name, fired_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS alert_notices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  alert_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(8) NOT NULL,
  webhook_url VARCHAR(2000) NOT NULL,
  payload TEXT NOT NULL,
  -- pending → sent | failed (after the bounded retries)
  status VARCHAR(8) NOT NULL DEFAULT 'pending',
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  claimed_by VARCHAR(100) NULL,
  claimed_until TIMESTAMP(3) NULL DEFAULT NULL,
  last_error VARCHAR(500) NULL,
  sent_at TIMESTAMP(3) NULL DEFAULT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY alert_notices_once (alert_id, kind),
  KEY alert_notices_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS alert_lease (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  owner VARCHAR(100) NULL,
  expires_at TIMESTAMP(3) NOT NULL DEFAULT '2000-01-01 00:00:00.000'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO alert_lease (id, owner, expires_at) VALUES (1, NULL, '2000-01-01 00:00:00.000');

-- Failed prediction requests per name and minute, counted by serve (flushed every few seconds), for
-- the error-rate rule: the prediction log holds only the answered ones.
CREATE TABLE IF NOT EXISTS prediction_errors (
  model_name VARCHAR(64) NOT NULL,
  minute BIGINT UNSIGNED NOT NULL,
  errors BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (model_name, minute)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
