// The PSI reference of one training column: moved to services/models (the drift-share alert rule uses it too).
export { driftReference } from '@enchilada/models';
