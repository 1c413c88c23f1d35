import type { BinnedData } from './binning.js';
import type { Random } from './random.js';

/**
 * A fitted binary tree in flat arrays (one entry per node, children after parents). Leaves
 * have `feature[n] === -1`; internal nodes send `x[feature] <= threshold` left. `value` holds
 * `outputs` numbers per node: the mean target (regression) or the class distribution
 * (classification).
 */
export interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly outputs: number;
}

/** Growth limits shared by both tree kinds. */
export interface TreeLimits {
  /** Deepest level a node may sit at (root = 0); `Infinity` grows until leaves are pure or small. */
  maxDepth: number;
  /** Fewest (distinct) training rows a leaf may hold. */
  minSamplesLeaf: number;
  /** Features examined per split; all when >= the feature count. */
  maxFeatures: number;
}

/** What the builders need besides the limits. */
export interface TreeInput {
  data: BinnedData;
  /** Rows used by this tree (distinct row numbers); reordered in place. */
  rows: Uint32Array;
  /** Per-row weight (bootstrap counts, or 1); indexed by row number. */
  weight: Float64Array;
  /** Receives each feature's weighted impurity decrease, divided by the root's weight. */
  importance: Float64Array;
  /** Needed when maxFeatures < features. */
  random?: Random;
}

// Node buffers grow as a tree is built, then are trimmed into a Tree.
class NodeBuffer {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  constructor(readonly outputs: number) {}
  add(values: ArrayLike<number>): number {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let k = 0; k < this.outputs; k++) this.value.push(values[k]!);
    return id;
  }
  toTree(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      outputs: this.outputs,
    };
  }
}

/** The best split found so far at a node. */
interface Split {
  score: number;
  feature: number;
  bin: number;
}

// Below this many rows per bin a node sorts its rows by bin instead of filling a histogram:
// deep nodes of a forest hold a handful of rows and scanning 256 bins each time would dominate.
const SORT_BELOW_ROWS_PER_BIN = 0.25;

/** Moves rows with `bins[f][row] <= bin` to the front of rows[start, end); returns the boundary. */
function partition(rows: Uint32Array, start: number, end: number, column: Uint8Array, bin: number): number {
  let i = start;
  let j = end - 1;
  while (i <= j) {
    if (column[rows[i]!]! <= bin) i++;
    else {
      const t = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = t;
      j--;
    }
  }
  return i;
}

/** Draws the order in which features are examined at a node (partial Fisher–Yates). */
function featureOrder(order: Int32Array, random: Random | undefined): void {
  if (random === undefined) return;
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

/**
 * Grows a least-squares regression tree on `target` (the residuals, for gradient boosting).
 * The split score is Σ_L² / w_L + Σ_R² / w_R, the same ordering as scikit-learn's
 * `friedman_mse` and `squared_error` for squared loss.
 */
export function buildRegressionTree(input: TreeInput, target: Float64Array, limits: TreeLimits): Tree {
  const { data, rows, weight, importance, random } = input;
  const nb = new NodeBuffer(1);
  const histSum = new Float64Array(256);
  const histW = new Float64Array(256);
  const histN = new Int32Array(256);
  const keys = new Uint32Array(Math.max(1, Math.ceil(256 * SORT_BELOW_ROWS_PER_BIN)));
  const order = Int32Array.from({ length: data.features }, (_, i) => i);
  let rootW = 0;
  for (let i = 0; i < rows.length; i++) rootW += weight[rows[i]!]!;

  const grow = (start: number, end: number, depth: number): number => {
    let w = 0;
    let s = 0;
    let s2 = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const wr = weight[r]!;
      const y = target[r]!;
      w += wr;
      s += wr * y;
      s2 += wr * y * y;
    }
    const id = nb.add([s / w]);
    const n = end - start;
    const impurity = s2 / w - (s / w) ** 2;
    if (depth >= limits.maxDepth || n < 2 * limits.minSamplesLeaf || impurity <= 1e-12 * Math.max(1, s2 / w)) return id;

    const best: Split = { score: (s * s) / w, feature: -1, bin: -1 };
    const baseline = best.score;
    featureOrder(order, random);
    let visited = 0;
    for (let o = 0; o < order.length; o++) {
      if (visited >= limits.maxFeatures && best.feature >= 0) break;
      const f = order[o]!;
      const column = data.bins[f]!;
      const bins = data.edges[f]!.length + 1;
      if (bins < 2) continue;
      let varied = false;
      if (n < bins * SORT_BELOW_ROWS_PER_BIN) {
        for (let i = 0; i < n; i++) keys[i] = (column[rows[start + i]!]! << 16) | i;
        const sorted = keys.subarray(0, n).sort();
        let wl = 0;
        let sl = 0;
        let nl = 0;
        for (let i = 0; i < n; i++) {
          const key = sorted[i]!;
          const r = rows[start + (key & 0xffff)]!;
          wl += weight[r]!;
          sl += weight[r]! * target[r]!;
          nl++;
          if (i + 1 < n && sorted[i + 1]! >>> 16 !== key >>> 16) {
            varied = true;
            if (nl >= limits.minSamplesLeaf && n - nl >= limits.minSamplesLeaf) {
              const sr = s - sl;
              const score = (sl * sl) / wl + (sr * sr) / (w - wl);
              if (score > best.score) {
                best.score = score;
                best.feature = f;
                best.bin = key >>> 16;
              }
            }
          }
        }
      } else {
        histSum.fill(0, 0, bins);
        histW.fill(0, 0, bins);
        histN.fill(0, 0, bins);
        for (let i = start; i < end; i++) {
          const r = rows[i]!;
          const b = column[r]!;
          histSum[b]! += weight[r]! * target[r]!;
          histW[b]! += weight[r]!;
          histN[b]!++;
        }
        let wl = 0;
        let sl = 0;
        let nl = 0;
        for (let b = 0; b + 1 < bins; b++) {
          if (histN[b] === 0) continue;
          wl += histW[b]!;
          sl += histSum[b]!;
          nl += histN[b]!;
          if (nl === n) break;
          varied = true;
          if (nl >= limits.minSamplesLeaf && n - nl >= limits.minSamplesLeaf) {
            const sr = s - sl;
            const score = (sl * sl) / wl + (sr * sr) / (w - wl);
            if (score > best.score) {
              best.score = score;
              best.feature = f;
              best.bin = b;
            }
          }
        }
      }
      if (varied) visited++;
    }
    if (best.feature < 0 || best.score - baseline <= 1e-12 * Math.abs(baseline)) return id;

    const column = data.bins[best.feature]!;
    const mid = partition(rows, start, end, column, best.bin);
    // Weighted impurity decrease = w·var − w_L·var_L − w_R·var_R = score − s²/w.
    importance[best.feature]! += (best.score - baseline) / rootW;
    nb.feature[id] = best.feature;
    nb.threshold[id] = data.edges[best.feature]![best.bin]!;
    nb.left[id] = grow(start, mid, depth + 1);
    nb.right[id] = grow(mid, end, depth + 1);
    return id;
  };
  grow(0, rows.length, 0);
  return nb.toTree();
}

/**
 * Grows a Gini classification tree on class indexes `label` (0 … classes − 1). Leaves hold the
 * weighted class distribution, so a forest's average is its probability estimate.
 */
export function buildClassificationTree(input: TreeInput, label: Int32Array, classes: number, limits: TreeLimits): Tree {
  const { data, rows, weight, importance, random } = input;
  const K = classes;
  const nb = new NodeBuffer(K);
  const histK = new Float64Array(256 * K);
  const histN = new Int32Array(256);
  const keys = new Uint32Array(Math.max(1, Math.ceil(256 * SORT_BELOW_ROWS_PER_BIN)));
  const order = Int32Array.from({ length: data.features }, (_, i) => i);
  const node = new Float64Array(K);
  const leftK = new Float64Array(K);
  let rootW = 0;
  for (let i = 0; i < rows.length; i++) rootW += weight[rows[i]!]!;

  // Σ_L c²/w_L + Σ_R c²/w_R: maximizing it minimizes the children's weighted Gini impurity.
  const scoreOf = (wl: number, w: number): number => {
    let l2 = 0;
    let r2 = 0;
    for (let k = 0; k < K; k++) {
      const cl = leftK[k]!;
      const cr = node[k]! - cl;
      l2 += cl * cl;
      r2 += cr * cr;
    }
    return l2 / wl + r2 / (w - wl);
  };

  const grow = (start: number, end: number, depth: number): number => {
    node.fill(0);
    let w = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      node[label[r]!]! += weight[r]!;
      w += weight[r]!;
    }
    let sq = 0;
    let pure = false;
    const dist = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      dist[k] = node[k]! / w;
      sq += node[k]! * node[k]!;
      if (node[k] === w) pure = true;
    }
    const id = nb.add(dist);
    const n = end - start;
    if (pure || depth >= limits.maxDepth || n < 2 * limits.minSamplesLeaf) return id;

    const baseline = sq / w;
    const best: Split = { score: baseline, feature: -1, bin: -1 };
    featureOrder(order, random);
    let visited = 0;
    for (let o = 0; o < order.length; o++) {
      if (visited >= limits.maxFeatures && best.feature >= 0) break;
      const f = order[o]!;
      const column = data.bins[f]!;
      const bins = data.edges[f]!.length + 1;
      if (bins < 2) continue;
      let varied = false;
      leftK.fill(0);
      let wl = 0;
      let nl = 0;
      if (n < bins * SORT_BELOW_ROWS_PER_BIN) {
        for (let i = 0; i < n; i++) keys[i] = (column[rows[start + i]!]! << 16) | i;
        const sorted = keys.subarray(0, n).sort();
        for (let i = 0; i < n; i++) {
          const key = sorted[i]!;
          const r = rows[start + (key & 0xffff)]!;
          leftK[label[r]!]! += weight[r]!;
          wl += weight[r]!;
          nl++;
          if (i + 1 < n && sorted[i + 1]! >>> 16 !== key >>> 16) {
            varied = true;
            if (nl >= limits.minSamplesLeaf && n - nl >= limits.minSamplesLeaf) {
              const score = scoreOf(wl, w);
              if (score > best.score) {
                best.score = score;
                best.feature = f;
                best.bin = key >>> 16;
              }
            }
          }
        }
      } else {
        histK.fill(0, 0, bins * K);
        histN.fill(0, 0, bins);
        for (let i = start; i < end; i++) {
          const r = rows[i]!;
          const b = column[r]!;
          histK[b * K + label[r]!]! += weight[r]!;
          histN[b]!++;
        }
        for (let b = 0; b + 1 < bins; b++) {
          if (histN[b] === 0) continue;
          for (let k = 0; k < K; k++) {
            const c = histK[b * K + k]!;
            leftK[k]! += c;
            wl += c;
          }
          nl += histN[b]!;
          if (nl === n) break;
          varied = true;
          if (nl >= limits.minSamplesLeaf && n - nl >= limits.minSamplesLeaf) {
            const score = scoreOf(wl, w);
            if (score > best.score) {
              best.score = score;
              best.feature = f;
              best.bin = b;
            }
          }
        }
      }
      if (varied) visited++;
    }
    if (best.feature < 0 || best.score - baseline <= 1e-12 * baseline) return id;

    const mid = partition(rows, start, end, data.bins[best.feature]!, best.bin);
    // w·gini − w_L·gini_L − w_R·gini_R = score − Σc²/w (the w terms cancel).
    importance[best.feature]! += (best.score - baseline) / rootW;
    nb.feature[id] = best.feature;
    nb.threshold[id] = data.edges[best.feature]![best.bin]!;
    nb.left[id] = grow(start, mid, depth + 1);
    nb.right[id] = grow(mid, end, depth + 1);
    return id;
  };
  grow(0, rows.length, 0);
  return nb.toTree();
}

/** The leaf a row falls into. */
export function leafOf(tree: Tree, row: ArrayLike<number>): number {
  let n = 0;
  while (tree.feature[n]! >= 0) {
    n = row[tree.feature[n]!]! <= tree.threshold[n]! ? tree.left[n]! : tree.right[n]!;
  }
  return n;
}
