// scikit-learn's ParameterGrid order: keys sorted by name, the last key varying fastest. The order
// matters because ties in mean score go to the first candidate.
export type ParamValue = number | string;
export type ParamGrid = Readonly<Record<string, readonly ParamValue[]>>;
export type ParamSet = Readonly<Record<string, ParamValue>>;

export function expandGrid(grid: ParamGrid): ParamSet[] {
  const keys = Object.keys(grid).sort();
  let out: Record<string, ParamValue>[] = [{}];
  for (const k of keys) {
    const next: Record<string, ParamValue>[] = [];
    for (const base of out) for (const v of grid[k]) next.push({ ...base, [k]: v });
    out = next;
  }
  return out;
}

/**
 * numpy's arange(start, stop, step) with numpy's rounding: it computes the second value as
 * start + step and every later one as start + i·delta, delta = second − start.
 */
export function arange(start: number, stop: number, step: number): number[] {
  const n = Math.max(Math.ceil((stop - start) / step), 0);
  const delta = start + step - start;
  return Array.from({ length: n }, (_, i) => (i === 1 ? start + step : start + i * delta));
}
