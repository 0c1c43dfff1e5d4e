/**
 * Reverse-mode automatic differentiation.
 *
 * Every op that runs while gradients are recorded, on an input that requires a gradient,
 * leaves a GradNode on its output: the op's name, its inputs, and a `backward` function
 * that turns the output's gradient dy into one gradient per input (the chain rule for that
 * op, written with other ops, next to the op in ops/). `backward(loss)` then
 *
 *   1. orders the graph topologically from the loss (every tensor after all its users),
 *   2. seeds d loss / d loss = 1,
 *   3. walks the order, calling each node's backward with the summed gradient of its output,
 *   4. stores the sums that reach leaves (variables) in `.grad`.
 *
 * A tensor used twice (a diamond) receives two gradients; they are summed before its own
 * node runs, which is why the topological order matters. Gradients are summed by type:
 * dense + dense = dense, RowSparse + RowSparse = RowSparse (rows merged), RowSparse + dense =
 * dense. After the walk the graph is released (nodes dropped), so memory does not grow.
 */
import { engine } from './engine.js';
import { Tensor, tensorMethods, type BackwardOptions, type GradNode, type Gradient } from './tensor.js';
import { RowSparse } from './rowsparse.js';
import { uniqueSorted } from './unique.js';
import { fmtShape, shapesEqual } from './shape.js';

export type { BackwardOptions, GradNode } from './tensor.js';

/** Attaches the op's backward to `output` when some input needs a gradient. */
export function recordOp(op: string, inputs: Tensor[], output: Tensor, backward: GradNode['backward']): void {
  if (!engine.gradEnabled) return;
  if (!inputs.some((t) => t.requiresGrad)) return;
  output.requiresGrad = true;
  output.node = { op, inputs, backward };
}

/** Tensors reachable from root, each after every tensor that uses it (users first). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // iterative post-order DFS, so deep graphs do not overflow the call stack
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, next] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

function toDense(g: Gradient): Tensor {
  return g instanceof RowSparse ? g.toDense() : g;
}

/** The sum of two gradients of the same tensor, by the rules above. */
export function accumulate(a: Gradient, b: Gradient): Gradient {
  if (a instanceof RowSparse && b instanceof RowSparse) return mergeRowSparse(a, b);
  if (a instanceof RowSparse) return addRowSparseToDense(b as Tensor, a);
  if (b instanceof RowSparse) return addRowSparseToDense(a, b);
  if (!shapesEqual(a.shape, b.shape)) {
    throw new Error(`backward: cannot sum gradients of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const backend = a.backend;
  return new Tensor(backend.binary('add', a, b, a.shape, a.dtype), a.shape, a.dtype, backend);
}

/** RowSparse + RowSparse: union of rows, values of shared rows summed (one segment sum). */
export function mergeRowSparse(a: RowSparse, b: RowSparse): RowSparse {
  if (!shapesEqual(a.denseShape, b.denseShape)) {
    throw new Error(`RowSparse merge: dense shapes ${fmtShape(a.denseShape)} and ${fmtShape(b.denseShape)} differ`);
  }
  const all = new Int32Array(a.nnz + b.nnz);
  all.set(a.indices, 0);
  all.set(b.indices, a.nnz);
  const { unique, inverse } = uniqueSorted(all);
  const backend = a.values.backend;
  const rowShape = a.values.shape.slice(1);
  const cat = new Tensor(backend.concat([a.values, b.values], 0), [all.length, ...rowShape], a.values.dtype, backend);
  const summed = backend.segmentSumRows(cat, inverse, unique.length);
  cat.dispose();
  return new RowSparse(unique, new Tensor(summed, [unique.length, ...rowShape], a.values.dtype, backend), a.denseShape);
}

/** dense + RowSparse = dense (the rows densified by a segment sum, then one add). */
export function addRowSparseToDense(dense: Tensor, sparse: RowSparse): Tensor {
  if (!shapesEqual(dense.shape, sparse.denseShape)) {
    throw new Error(`gradient accumulation: dense ${fmtShape(dense.shape)} + RowSparse ${fmtShape(sparse.denseShape)}`);
  }
  const rows = sparse.toDense();
  const b = dense.backend;
  const sum = new Tensor(b.binary('add', dense, rows, dense.shape, dense.dtype), dense.shape, dense.dtype, b);
  rows.dispose();
  return sum;
}

function gradShape(g: Gradient): readonly number[] {
  return g instanceof RowSparse ? g.denseShape : g.shape;
}

export function backward(root: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  const { retainGraph = false, checkFinite = true } = options;
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor ${root.describe()} does not require a gradient (no variable was used to compute it, or it was computed inside noGrad)`);
  }
  if ((root as { graphReleased?: boolean }).graphReleased) {
    throw new Error('backward: this graph was already used by backward() and released; run the forward pass again or pass {retainGraph: true}');
  }
  if (!seed && root.size !== 1) {
    throw new Error(`backward: ${root.describe()} is not a scalar; pass the gradient of the output explicitly`);
  }
  if (seed && !shapesEqual(seed.shape, root.shape)) {
    throw new Error(`backward: seed gradient ${fmtShape(seed.shape)} does not match output ${fmtShape(root.shape)}`);
  }
  if (checkFinite && !seed) {
    const value = root.dataSync()[0];
    if (!Number.isFinite(value)) {
      throw new Error(`backward: the loss is ${value} (produced by op '${root.node?.op ?? 'leaf'}'); ` +
        'check the learning rate, the inputs for NaN/inf, and log() of non-positive values');
    }
  }

  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Gradient>();
  const storedOnLeaves = new Set<Tensor>();

  // Every tensor made during the walk lives in this scope; only leaf gradients survive it.
  engine.startScope();
  try {
    engine.noGrad(() => {
      const backend = root.backend;
      const one = seed ?? new Tensor(backend.write(new Float32Array([1]), 'float32'), root.shape, 'float32', backend);
      grads.set(root, root.dtype === one.dtype ? one : new Tensor(backend.cast(one, root.dtype), root.shape, root.dtype, backend));

      for (const t of order) {
        const g = grads.get(t);
        if (!g) continue;
        if (!shapesEqual(gradShape(g), t.shape)) {
          throw new Error(`backward: gradient of shape ${fmtShape(gradShape(g))} reached ${t.describe()} (op '${t.node?.op ?? 'leaf'}')`);
        }
        if (!t.node) {
          storeLeafGradient(t, g, storedOnLeaves);
          continue;
        }
        const inputGrads = g instanceof RowSparse && t.node.sparseBackward ? t.node.sparseBackward(g) : t.node.backward(toDense(g));
        const inputs = t.node.inputs;
        if (inputGrads.length !== inputs.length) {
          throw new Error(`backward of '${t.node.op}' returned ${inputGrads.length} gradients for ${inputs.length} inputs`);
        }
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i];
          const gi = inputGrads[i];
          if (!gi || !input.requiresGrad) continue;
          const prev = grads.get(input);
          grads.set(input, prev ? accumulate(prev, gi) : gi);
        }
        grads.delete(t);
      }
    });
  } finally {
    engine.endScope();
  }

  if (!retainGraph) {
    for (const t of order) {
      if (t.node) t.node = null;
    }
    (root as { graphReleased?: boolean }).graphReleased = true;
  }
}

/** Adds g into leaf.grad, keeping it alive past the backward scope. */
function storeLeafGradient(leaf: Tensor, g: Gradient, stored: Set<Tensor>): void {
  // A gradient tensor may be shared (e.g. `a + b` passes dy to both) or belong to the
  // forward pass: then give the leaf its own copy.
  const values = g instanceof RowSparse ? g.values : g;
  let own: Gradient = g;
  if (stored.has(values) || values.kept || !engine.inCurrentScope(values)) {
    const copy = new Tensor(values.backend.copy(values), values.shape, values.dtype, values.backend);
    own = g instanceof RowSparse ? new RowSparse(g.indices, copy, g.denseShape) : copy;
  }
  if (leaf.grad) {
    const previous = leaf.grad;
    own = accumulate(previous, own);
    (previous instanceof RowSparse ? previous.values : previous).dispose();
  }
  engine.keep(own instanceof RowSparse ? own.values : own);
  stored.add(own instanceof RowSparse ? own.values : own);
  leaf.grad = own;
}

tensorMethods.backward = backward;
