// The seeded uniform stream of the explainers and the model comparison, as a function. The generator
// itself is written once, in tree/random.ts (Stream): the same Mulberry32 numbers for the same seed.
import { Stream } from '../tree/random.js';

/** Mulberry32: uniform numbers in [0, 1) from a 32-bit seed, so a result is reproducible for its seed. */
export function mulberry32(seed: number): () => number {
  const stream = new Stream(seed);
  return () => stream.next();
}
