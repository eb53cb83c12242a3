-- Requests per API key (or address) per fixed window, summed over every serve process, so that a
-- key's rate limit holds however many replicas and workers serve it.
CREATE TABLE IF NOT EXISTS rate_windows (
  bucket VARCHAR(80) NOT NULL,
  window_start BIGINT UNSIGNED NOT NULL,
  hits BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, window_start),
  KEY rate_windows_start (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
