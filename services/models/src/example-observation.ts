// The example observation shown for a model (serve's /docs, the web app's API keys and Published
// pages): synthetic, built from the model's input contract only, so no page or document ever
// publishes a row of the training data.
import type { ModelInput } from './model-inputs.js';

/** What training fills a text gap with by default (services/ml's DEFAULT_FILL): a placeholder, not a value to show. */
const GAP_FILLER = 'missing_value';

/** A fixed date: any valid date works, and a fixed one keeps the documentation stable. */
export const EXAMPLE_DATE = '2024-01-01';

/** Four significant digits: a median such as 14.127000236511 reads as 14.13, and stays within the data's scale. */
export function roundForExample(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Number(v.toPrecision(4));
}

/**
 * Numbers: the value training imputes a gap with (the median or mean it learnt); text: the value
 * it imputes (the most frequent category) when it is a known category, else the first known one
 * that is not the gap filler; dates: a fixed date. Models trained before mixed tables (no contract): zeros for each feature.
 */
export function exampleObservation(
  features: readonly string[],
  inputs: readonly ModelInput[] | null,
): Record<string, number | string | null> {
  if (!inputs) return Object.fromEntries(features.map((f) => [f, 0]));
  return Object.fromEntries(
    inputs.map((c): [string, number | string | null] => {
      if (c.kind === 'numeric') return [c.name, c.imputed === null ? 0 : roundForExample(c.imputed)];
      if (c.kind === 'categorical') {
        if (c.imputed !== null && c.imputed !== GAP_FILLER && c.categories.includes(c.imputed))
          return [c.name, c.imputed];
        return [c.name, c.categories.find((k) => k !== GAP_FILLER) ?? null];
      }
      return [c.name, EXAMPLE_DATE];
    }),
  );
}
