import type { BinnedData } from './binning.js';
import type { Random } from './random.js';

/**
 * A fitted binary tree in flat arrays (one entry per node, children after parents). Leaves
 * have `feature[n] === -1`; internal nodes send `x[feature] <= threshold` left. `value` holds
 * `outputs` numbers per node: the mean target (regression) or the class distribution
 * (classification).
 */
export interface Tree {
  /** Feature each node splits on; -1 for a leaf. */
  readonly feature: Int32Array;
  /** Split value of each node: rows with `x[feature] <= threshold` go left. */
  readonly threshold: Float64Array;
  /** Index of each node's left child (-1 for a leaf). */
  readonly left: Int32Array;
  /** Index of each node's right child (-1 for a leaf). */
  readonly right: Int32Array;
  /** `outputs` numbers per node, node after node. */
  readonly value: Float64Array;
  /** Numbers per node in `value`: 1 for regression, the class count for classification. */
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
  /** The binned training matrix. */
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

/** Sum of the weights of `rows`: the root's weight, which importances are divided by. */
function totalWeight(rows: Uint32Array, weight: Float64Array): number {
  let w = 0;
  for (let i = 0; i < rows.length; i++) w += weight[rows[i]!]!;
  return w;
}

/**
 * Sorts the node's rows rows[start, start + n) by their bin in `column`, as keys
 * `bin << 16 | position` (a node sorts only when it holds fewer than 256 × SORT_BELOW_ROWS_PER_BIN = 64 rows).
 */
function sortByBin(keys: Uint32Array, rows: Uint32Array, start: number, n: number, column: Uint8Array): Uint32Array {
  for (let i = 0; i < n; i++) keys[i] = (column[rows[start + i]!]! << 16) | i;
  return keys.subarray(0, n).sort();
}

/** Keeps the split `feature <= bin` when it scores higher than the best so far (first found wins ties). */
function offer(best: Split, score: number, feature: number, bin: number): void {
  if (score > best.score) {
    best.score = score;
    best.feature = feature;
    best.bin = bin;
  }
}

/**
 * Turns leaf `id` into an internal node on `best`: credits `gain` to the feature's importance,
 * partitions the rows and grows both children (left first, so node ids stay in build order).
 */
function splitNode(
  nb: NodeBuffer,
  id: number,
  input: TreeInput,
  best: Split,
  gain: number,
  start: number,
  end: number,
  depth: number,
  grow: (start: number, end: number, depth: number) => number,
): void {
  const mid = partition(input.rows, start, end, input.data.bins[best.feature]!, best.bin);
  input.importance[best.feature]! += gain;
  nb.feature[id] = best.feature;
  nb.threshold[id] = input.data.edges[best.feature]![best.bin]!;
  nb.left[id] = grow(start, mid, depth + 1);
  nb.right[id] = grow(mid, end, depth + 1);
}

/**
 * Examines features in a freshly drawn order until `maxFeatures` of them have varied among the
 * node's rows and some split has been found (scikit-learn's rule), skipping single-bin columns.
 * `scan` offers its best split on one feature to `best` and says whether the feature varied.
 */
function scanFeatures(
  order: Int32Array,
  input: TreeInput,
  maxFeatures: number,
  best: Split,
  scan: (feature: number, column: Uint8Array, bins: number) => boolean,
): void {
  featureOrder(order, input.random);
  let visited = 0;
  for (let o = 0; o < order.length; o++) {
    if (visited >= maxFeatures && best.feature >= 0) break;
    const f = order[o]!;
    const bins = input.data.edges[f]!.length + 1;
    if (bins < 2) continue;
    if (scan(f, input.data.bins[f]!, bins)) visited++;
  }
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
  const { data, rows, weight } = input;
  const nb = new NodeBuffer(1);
  const histSum = new Float64Array(256);
  const histW = new Float64Array(256);
  const histN = new Int32Array(256);
  const keys = new Uint32Array(Math.max(1, Math.ceil(256 * SORT_BELOW_ROWS_PER_BIN)));
  const order = Int32Array.from({ length: data.features }, (_, i) => i);
  const rootW = totalWeight(rows, weight);

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
    scanFeatures(order, input, limits.maxFeatures, best, (f, column, bins) => {
      let varied = false;
      if (n < bins * SORT_BELOW_ROWS_PER_BIN) {
        const sorted = sortByBin(keys, rows, start, n, column);
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
              offer(best, score, f, key >>> 16);
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
            offer(best, score, f, b);
          }
        }
      }
      return varied;
    });
    if (best.feature < 0 || best.score - baseline <= 1e-12 * Math.abs(baseline)) return id;

    // Weighted impurity decrease = w·var − w_L·var_L − w_R·var_R = score − s²/w.
    splitNode(nb, id, input, best, (best.score - baseline) / rootW, start, end, depth, grow);
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
  const { data, rows, weight } = input;
  const K = classes;
  const nb = new NodeBuffer(K);
  const histK = new Float64Array(256 * K);
  const histN = new Int32Array(256);
  const keys = new Uint32Array(Math.max(1, Math.ceil(256 * SORT_BELOW_ROWS_PER_BIN)));
  const order = Int32Array.from({ length: data.features }, (_, i) => i);
  const node = new Float64Array(K);
  const leftK = new Float64Array(K);
  const rootW = totalWeight(rows, weight);

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
    scanFeatures(order, input, limits.maxFeatures, best, (f, column, bins) => {
      let varied = false;
      leftK.fill(0);
      let wl = 0;
      let nl = 0;
      if (n < bins * SORT_BELOW_ROWS_PER_BIN) {
        const sorted = sortByBin(keys, rows, start, n, column);
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
              offer(best, score, f, key >>> 16);
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
            offer(best, score, f, b);
          }
        }
      }
      return varied;
    });
    if (best.feature < 0 || best.score - baseline <= 1e-12 * baseline) return id;

    // w·gini − w_L·gini_L − w_R·gini_R = score − Σc²/w (the w terms cancel).
    splitNode(nb, id, input, best, (best.score - baseline) / rootW, start, end, depth, grow);
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
