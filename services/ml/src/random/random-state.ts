// numpy's legacy `RandomState` (MT19937), bit for bit: scikit-learn's `random_state=seed` draws from
// it, so reproducing its splits and seeds means reproducing this generator exactly.
const N = 624;
const M = 397;

export class RandomState {
  /**
   * The state words, stored as int32 (the same bits): a Uint32Array word above 2^31 is no small
   * integer to V8, which then carries it as a float64 through the shifts. liblinear's visiting
   * order draws one number per variable per pass, so draws are on the linear SVMs' hot path.
   */
  private readonly mt = new Int32Array(N);
  /** The tempered outputs of the current state, computed all at once by twist(). */
  private readonly out = new Int32Array(N);
  private pos = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32-1], got ${seed}`);
    }
    // numpy's mt19937_seed, the reference init_genrand
    const mt = this.mt;
    mt[0] = seed | 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) | 0;
    }
  }

  private twist(): void {
    const mt = this.mt;
    // the reference's three loops: no modulo per word
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + M - N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    // genrand_int32's tempering, for the whole block: a draw is then one load
    const out = this.out;
    for (let k = 0; k < N; k++) {
      let t = mt[k];
      t ^= t >>> 11;
      t ^= (t << 7) & 0x9d2c5680;
      t ^= (t << 15) & 0xefc60000;
      t ^= t >>> 18;
      out[k] = t;
    }
    this.pos = 0;
  }

  /** genrand_int32: the next 32-bit output. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    return this.out[this.pos++] >>> 0;
  }

  /** numpy's `random_interval`: uniform in [0, max] by masked rejection (what `shuffle` uses). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new RangeError('interval above 2^32 is not needed here');
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** `RandomState.randint(high)` for 0 < high ≤ 2^32 (legacy masked bounded integers). */
  randint(high: number): number {
    return this.interval(high - 1);
  }

  /** `RandomState.permutation(n)`: arange(n) shuffled by Fisher–Yates from the end. */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniform double in [0, 1) with 53 random bits (numpy's random_sample). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}
