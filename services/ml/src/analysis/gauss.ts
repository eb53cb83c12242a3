// numpy's legacy RandomState.standard_normal (the polar Box–Muller method that caches its second
// value, legacy_gauss), on our bit-exact MT19937: scikit-learn's MI adds its tie-breaking noise
// with it, so the same seed gives the same noise.
import { RandomState } from '../random/random-state.js';

export class Gaussian {
  private readonly rs: RandomState;
  private cached: number | null = null;
  constructor(seed: number) {
    this.rs = new RandomState(seed);
  }

  next(): number {
    if (this.cached !== null) {
      const g = this.cached;
      this.cached = null;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.rs.random() - 1;
      x2 = 2 * this.rs.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cached = f * x1;
    return f * x2;
  }
}
