// Rows of the mixed tables (penguins, Auto MPG) that their training data never had, for the tests
// that check a fitted pipeline, its ONNX graph or its explainer on them: every value missing, a
// category never seen, values missing one at a time. One copy, so the suites try the same rows.
import type { MixedName } from './mixed-csv.js';

/** A row as a client sends it: a value per column, null when missing. */
export type Rec = Record<string, string | number | null>;

/** Every value missing. */
export const ALL_MISSING: Readonly<Record<MixedName, Rec>> = {
  penguins: {
    island: null,
    bill_length_mm: null,
    bill_depth_mm: null,
    flipper_length_mm: null,
    body_mass_g: null,
    sex: null,
    year: null,
  },
  'auto-mpg': {
    cylinders: null,
    displacement: null,
    horsepower: null,
    weight: null,
    acceleration: null,
    model_year: null,
    origin: null,
  },
};

/** Text values never seen in training (penguins: island and sex; Auto MPG: origin, with horsepower missing). */
export const UNSEEN_CATEGORY: Readonly<Record<MixedName, Rec>> = {
  penguins: {
    island: 'Atlantis',
    bill_length_mm: 41,
    bill_depth_mm: 18,
    flipper_length_mm: 190,
    body_mass_g: 3700,
    sex: 'unknown',
    year: 2008,
  },
  'auto-mpg': {
    cylinders: 4,
    displacement: 100,
    horsepower: null,
    weight: 2200,
    acceleration: 16,
    model_year: 80,
    origin: 'Mars',
  },
};

/** Known categories with some numbers missing (penguins: bill length and body mass; Auto MPG: none, origin missing). */
export const SOME_MISSING: Readonly<Record<MixedName, Rec>> = {
  penguins: {
    island: 'Biscoe',
    bill_length_mm: null,
    bill_depth_mm: 15,
    flipper_length_mm: 215,
    body_mass_g: null,
    sex: null,
    year: 2009,
  },
  'auto-mpg': {
    cylinders: 8,
    displacement: 350,
    horsepower: 160,
    weight: 4000,
    acceleration: 11,
    model_year: 72,
    origin: null,
  },
};
