// ψ(x), the digamma function, for x > 0: recurrence up to x ≥ 10, then the asymptotic series
// (Abramowitz & Stegun 6.3.18). Accurate to ~1e-12, enough for the MI estimators.
export function digamma(x: number): number {
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}
