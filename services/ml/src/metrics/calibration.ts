// Calibration of predicted probabilities in ten equal-width bins: per bin, the mean predicted
// probability against the observed share of hits (scikit-learn's calibration_curve with
// strategy='uniform', n_bins=10, keeping the count of each non-empty bin).

export interface CalibrationBin {
  readonly meanPredicted: number;
  readonly observed: number;
  readonly count: number;
}

/** `hits[i]`: whether the event that `probabilities[i]` predicts happened. Non-finite probabilities are left out. */
export function calibrationBins(
  probabilities: readonly (number | undefined)[],
  hits: readonly boolean[],
  nBins = 10,
): CalibrationBin[] {
  const bins = Array.from({ length: nBins }, () => ({ sumP: 0, hits: 0, count: 0 }));
  probabilities.forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p)) return;
    const b = bins[Math.max(0, Math.min(nBins - 1, Math.floor(p * nBins)))];
    b.sumP += p;
    b.count++;
    if (hits[i]) b.hits++;
  });
  return bins
    .filter((b) => b.count > 0)
    .map((b) => ({ meanPredicted: b.sumP / b.count, observed: b.hits / b.count, count: b.count }));
}
