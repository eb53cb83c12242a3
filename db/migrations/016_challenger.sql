-- Champion and challenger (issue 19, owned by services/models, src/serving.ts and src/challenger.ts):
-- a published name may have a challenger model that serve scores every request with beside the
-- champion (which alone answers). Setting, promoting (a swap, as a new version with action
-- 'promote') and removing it bump serving_changes, so serve follows without a restart.
ALTER TABLE published_models ADD COLUMN challenger_model_id BIGINT UNSIGNED NULL, ADD COLUMN challenger_set_by INT UNSIGNED NULL,
  ADD COLUMN challenger_set_at TIMESTAMP(3) NULL DEFAULT NULL;
-- Both models' predictions of a request are logged, one row each: role 'champion' (what was
-- answered) or 'challenger' (its model_id the challenger's, its version the champion's at the time).
-- The client's id is unique per name and role; an outcome is set on both rows at once.
ALTER TABLE predictions ADD COLUMN role VARCHAR(10) NOT NULL DEFAULT 'champion', DROP INDEX predictions_client,
  ADD UNIQUE KEY predictions_client (model_name, client_id, role);
