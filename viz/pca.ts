/**
 * The first two principal components of a point cloud, by power iteration on the
 * covariance matrix (dim × dim, small for embeddings), with the first component deflated
 * before finding the second. Used to start t-SNE and as the "linear map" the t-SNE map is
 * compared with.
 */

/** Projections of the rows of `x` [n, dim] on their first two principal axes: [n, 2]. */
export function pca2(x: ArrayLike<number>, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += x[i * dim + d] / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = x[i * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] += row[a] * row[b];
  }
  const axes = [topEigenvector(cov, dim)];
  // deflate: remove the first axis' variance, then the top eigenvector is the second axis
  const [v, lambda] = axes[0];
  for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) cov[a * dim + b] -= lambda * v[a] * v[b];
  axes.push(topEigenvector(cov, dim));
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (x[i * dim + d] - mean[d]) * axes[c][0][d];
      out[2 * i + c] = s;
    }
  }
  return out;
}

/** The dominant eigenvector of a symmetric matrix and its eigenvalue (deterministic start). */
function topEigenvector(m: Float64Array, dim: number): [Float64Array, number] {
  let v = new Float64Array(dim).map((_, d) => 1 + d / dim);
  let lambda = 0;
  for (let it = 0; it < 500; it++) {
    const w = new Float64Array(dim);
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a] += m[a * dim + b] * v[b];
    const norm = Math.hypot(...w);
    if (norm === 0) return [v, 0];
    for (let a = 0; a < dim; a++) w[a] /= norm;
    const change = w.reduce((s, x, a) => s + Math.abs(x - v[a]), 0);
    v = w;
    lambda = norm;
    if (change < 1e-10) break;
  }
  // a sign convention, so the same data always gives the same picture
  let big = 0;
  for (let d = 0; d < dim; d++) if (Math.abs(v[d]) > Math.abs(v[big])) big = d;
  if (v[big] < 0) for (let d = 0; d < dim; d++) v[d] = -v[d];
  return [v, lambda];
}
