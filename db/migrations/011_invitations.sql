-- Invitation links (issue 15): an administrator creates a user (inactive, with no usable password)
-- and a link, shown once, where that person chooses their password, which activates the account.
-- Only the SHA-256 of the link's token (256 random bits) is kept. expires_at is in ms since the
-- epoch from web's clock, as users.sessions_valid_after is. The name stays after a revocation (the
-- never-activated user is then removed, freeing the name), so the link can say it was revoked.
CREATE TABLE IF NOT EXISTS invitations (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id INT UNSIGNED NULL,
  username VARCHAR(64) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  created_by INT UNSIGNED NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at BIGINT UNSIGNED NOT NULL,
  used_at TIMESTAMP(3) NULL DEFAULT NULL,
  revoked_at TIMESTAMP(3) NULL DEFAULT NULL,
  UNIQUE KEY invitations_token (token_hash),
  KEY invitations_user (user_id),
  CONSTRAINT invitations_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT invitations_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
