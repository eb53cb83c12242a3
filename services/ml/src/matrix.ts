// A dense numeric matrix over one contiguous Float64Array, row-major: row i is data[i*cols … (i+1)*cols).
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new RangeError(`invalid matrix shape ${rows}×${cols}`);
    }
    if (data && data.length !== rows * cols) {
      throw new RangeError(`matrix data has ${data.length} values, shape ${rows}×${cols} needs ${rows * cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  static fromRows(rows: readonly (readonly number[])[]): Matrix {
    const r = rows.length;
    const c = r === 0 ? 0 : rows[0].length;
    const m = new Matrix(r, c);
    for (let i = 0; i < r; i++) {
      if (rows[i].length !== c) throw new RangeError(`row ${i} has ${rows[i].length} values, expected ${c}`);
      m.data.set(rows[i], i * c);
    }
    return m;
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  column(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j];
    return out;
  }

  /** The rows at the given indices, copied, in that order. */
  takeRows(indices: ArrayLike<number>): Matrix {
    const out = new Matrix(indices.length, this.cols);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      out.data.set(this.data.subarray(i * this.cols, (i + 1) * this.cols), k * this.cols);
    }
    return out;
  }

  /** The columns at the given indices, copied, in that order. */
  columnsAt(indices: ArrayLike<number>): Matrix {
    const k = indices.length;
    const out = new Matrix(this.rows, k);
    for (let i = 0; i < this.rows; i++) {
      const src = i * this.cols,
        dst = i * k;
      for (let q = 0; q < k; q++) out.data[dst + q] = this.data[src + indices[q]];
    }
    return out;
  }

  toRows(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}
