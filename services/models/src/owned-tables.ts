// The database tables this package owns: only its code writes them (others read through it).
// services/core/test/table-owners.test.ts holds every package to its list.
export const OWN_TABLES: readonly string[] = [
  'models',
  'published_models',
  'published_model_versions',
  'serving_changes',
  'predictions',
  'prediction_batches',
  'prediction_errors',
  'api_keys',
  'tutorial_mode',
  'alert_rules',
  'alerts',
  'alert_notices',
  'alert_lease',
];
