-- People and permissions (issue 15). Roles are admin, editor (upload, train, publish their own
-- work) and viewer (read only); the old 'user' role could do what an editor does.
UPDATE users SET role = 'editor' WHERE role = 'user';
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'editor';

-- Sessions issued before this instant (ms since the epoch, from web's clock, as the session's own
-- stamp is) stop working: sign-out and deactivation move it. NULL: no session was ended yet.
-- A number, not a TIMESTAMP, so no time zone stands between the stamp and the cookie's.
-- must_change_password: a one-time password (new user, reset, the bootstrap administrator).
ALTER TABLE users
  ADD COLUMN sessions_valid_after BIGINT UNSIGNED NULL DEFAULT NULL,
  ADD COLUMN must_change_password TINYINT(1) NOT NULL DEFAULT 0;

-- A published name belongs to whoever first published it (services/models, src/serving.ts).
ALTER TABLE published_models ADD COLUMN owner_id INT UNSIGNED NULL;
UPDATE published_models p SET owner_id = (
  SELECT v.created_by FROM published_model_versions v WHERE v.name = p.name ORDER BY v.version LIMIT 1);
