// Seeded randomness keyed by position (tree index, node path) rather than drawn from one sequential
// stream: a node's draws then do not depend on how many other nodes or trees were grown before it,
// which is what makes a forest truncated in depth or size identical to one fitted with those limits.

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { floor, imul } = Math;

/** Hashes two 32-bit values into one (murmur3's finaliser over a multiplicative mix). */
export function mix(a: number, b: number): number {
  let h = imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small fast generator (mulberry32); enough for sampling, not for cryptography. */
export class Stream {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Restarts the stream from a new seed without allocating. */
  reset(seed: number): void {
    this.state = seed >>> 0;
  }

  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return floor(this.next() * n);
  }
}
