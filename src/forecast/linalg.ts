/**
 * The little linear algebra the models need: a symmetric positive-definite solve by Cholesky on
 * row-major `Float64Array`s. Sizes are tens of columns, so plain loops beat any library call.
 * @packageDocumentation
 */

/**
 * Solves `A x = b` for symmetric positive-definite `A` (`p × p`, row-major; not modified).
 * When `A` is not numerically positive-definite a growing ridge (1e-10 … 1e-2 of the mean diagonal)
 * is added; `undefined` when even that fails.
 */
export function solveSpd(a: Float64Array, b: Float64Array, p: number): Float64Array | undefined {
  let meanDiag = 0;
  for (let i = 0; i < p; i++) meanDiag += a[i * p + i]!;
  meanDiag = meanDiag / p || 1;
  const l = new Float64Array(p * p);
  for (let jitter = 0; jitter <= 1e-2; jitter = jitter === 0 ? 1e-10 : jitter * 100) {
    if (cholesky(a, l, p, jitter * meanDiag)) return substitute(l, b, p);
  }
  return undefined;
}

function cholesky(a: Float64Array, l: Float64Array, p: number, ridge: number): boolean {
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= l[i * p + k]! * l[j * p + k]!;
      if (i === j) {
        if (!(sum > 0)) return false;
        l[i * p + i] = Math.sqrt(sum);
      } else l[i * p + j] = sum / l[j * p + j]!;
    }
  }
  return true;
}

function substitute(l: Float64Array, b: Float64Array, p: number): Float64Array {
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * p + k]! * y[k]!;
    y[i] = sum / l[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i]! * x[k]!;
    x[i] = sum / l[i * p + i]!;
  }
  return x;
}

/** Adds `w · x xᵀ` to the upper triangle of `gram` and `w · y · x` to `xty` (one row of a least-squares fit). */
export function accumulate(gram: Float64Array, xty: Float64Array, x: Float64Array, y: number, p: number, w = 1): void {
  for (let i = 0; i < p; i++) {
    const xi = x[i]! * w;
    if (xi === 0) continue;
    xty[i] = xty[i]! + xi * y;
    const row = i * p;
    for (let j = i; j < p; j++) gram[row + j] = gram[row + j]! + xi * x[j]!;
  }
}

/** Copies the upper triangle of a row-major `p × p` matrix to the lower one, in place. */
export function symmetrize(gram: Float64Array, p: number): void {
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) gram[i * p + j] = gram[j * p + i]!;
}
