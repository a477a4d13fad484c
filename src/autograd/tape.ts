/**
 * The tape: what records operations and replays them backwards, with the cached plan that keeps
 * a steady-state step allocation-free.
 *
 * ## How a step is recorded and replayed
 * Every operation (src/autograd/ops/*) calls `begin(engine, op, nInputs, nAttrs)` with its inputs
 * in `IN` and its numeric attributes in `ATTR`. The tape answers with the {@link Node} at the
 * current position of the active {@link Plan}: when the node already there has the same op, the
 * same input shapes and the same attributes (the common case from the second step on) it is
 * reused as it is — its output tensor, gradient buffer and scratch — and only its inputs are
 * rebound. Otherwise the node there and every node after it are freed and a new one is made (a
 * changed shape re-plans once). The op then runs its kernels into `node.out`.
 *
 * `backward` walks the nodes of the plan in reverse from the root, calling each op's static
 * `backward(node, tape)` for nodes whose output received a gradient in this pass.
 *
 * ## Two plans per engine
 * - The **recording plan** takes operations in training mode with gradients enabled (a
 *   top-level Module.forward of a module in training mode, or a functional operation on a
 *   tensor that requires a gradient). A step starts at the first such operation after a
 *   `backward()` and grows until the next `backward()` ends it.
 * - The **inference plan** takes everything else (eval mode, `noGrad`). It restarts at every
 *   top-level Module.forward whose inputs are not outputs of the running inference pass, and at
 *   every outermost `noGrad` block; no gradient buffer is allocated for it, and
 *   `tensor.backward()` refuses its tensors (`module.backward(dy)` of the old manual loop still
 *   differentiates the last computed function, as the layers always did).
 *
 * Outputs of operations therefore belong to the plan: valid until the operation at the same
 * position runs again (next step, next top-level forward), never disposed by the user.
 *
 * @module
 */

import type { Engine } from "../engine.js";
import { SimdnetError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** An operation: a name and the static function computing its inputs' gradients. */
export interface Op {
  readonly name: string;
  /** Reads `node.out.grad` and writes/accumulates the gradients of the inputs that need one. */
  backward(node: Node, tape: Tape): void;
}

/** One recorded operation call; reused step after step while shapes stay the same. */
export class Node {
  /** Inputs of the current call (rebound each step; null for absent optional inputs). */
  readonly inputs: (Tensor | null)[] = [];
  /** Whether input i carried a gradient path when recorded. */
  readonly track: boolean[] = [];
  /** Whether input i's gradient went through `tmp[i]` in this pass (see gradDst/commit). */
  readonly acc: boolean[] = [];
  /** Input shapes at creation (the plan matches on them). */
  readonly shapes: (readonly number[] | null)[] = [];
  /** Numeric attributes at creation (matched too). */
  readonly attrs: number[] = [];
  /** The output, owned by the node (or a view of an input when `outIsView`). */
  out: Tensor | null = null;
  outIsView = false;
  /** Extra buffers the op keeps for backward (mask, argmax, statistics), owned by the node. */
  saved: Tensor | null = null;
  saved2: Tensor | null = null;
  saved3: Tensor | null = null;
  /** Scratch bytes for the kernels (gemm/conv work), owned by the node; 0 when none. */
  work = 0;
  /** Per-input temporary gradient for the second and later contributions. */
  readonly tmp: (Tensor | null)[] = [];
  /** An object the op needs at backward time (the Dropout or BatchNorm settings). */
  ref: unknown = null;
  /** Scalar numbers of the current call (loss scale, dropout p, …), not matched. */
  s0 = 0;
  s1 = 0;
  epoch = -1;
  index = 0;
  constructor(readonly op: Op, readonly plan: Plan, readonly engine: Engine) {}

  /** Frees everything the node owns. */
  dispose(): void {
    const out = this.out;
    if (out !== null) {
      if (out.grad !== null && !out.grad.isDisposed) out.grad.dispose();
      out.grad = null;
      if (!out.isDisposed) out.dispose();
    }
    this.out = null;
    for (const t of [this.saved, this.saved2, this.saved3, ...this.tmp]) if (t !== null && !t.isDisposed) t.dispose();
    this.saved = this.saved2 = this.saved3 = null;
    this.tmp.length = 0;
    if (this.work !== 0) this.engine.allocator.release(this.work);
    this.work = 0;
    this.inputs.length = 0;
  }
}

/** A position-matched list of nodes (see the module comment). */
export class Plan {
  readonly nodes: Node[] = [];
  pos = 0;
  epoch = 0;
  constructor(readonly tape: Tape, readonly recording: boolean) {}

  /** Starts a new pass over the same positions. */
  restart(): void {
    this.pos = 0;
    this.epoch++;
  }

  /** Frees the nodes from index `from` on. */
  truncate(from: number): void {
    for (let i = this.nodes.length - 1; i >= from; i--) this.nodes[i]!.dispose();
    this.nodes.length = Math.min(this.nodes.length, from);
  }
}

/** The per-engine recording state. */
export class Tape {
  readonly record: Plan;
  readonly infer: Plan;
  /** Nesting of Module.forward calls. */
  depth = 0;
  /** The plan of the running top-level forward (or noGrad block), null outside. */
  active: Plan | null = null;
  /** True after backward(): the next recorded operation starts a new step. */
  closed = true;
  /** Backward pass counter (gradient buffers stamp it on their first contribution). */
  pass = 0;
  /** A leaf whose gradient the old manual loop asked for (Module.backward's dx). */
  wanted: Tensor | null = null;
  /** The noGrad generation this tape last restarted its inference plan for. */
  noGradSeen = -1;
  constructor(readonly engine: Engine) {
    this.record = new Plan(this, true);
    this.infer = new Plan(this, false);
  }

  /** Opens the recording plan (a new step when the last one was closed by backward). */
  openRecord(): Plan {
    if (this.closed) {
      this.record.restart();
      this.closed = false;
    }
    return this.record;
  }

  /** Frees every node of both plans (engine teardown, tests). */
  clear(): void {
    this.record.truncate(0);
    this.infer.truncate(0);
    this.record.restart();
    this.infer.restart();
    this.closed = true;
  }
}

const tapes = new WeakMap<Engine, Tape>();
let lastEngine: Engine | null = null;
let lastTape: Tape | null = null;

/** The tape of an engine (made on first use). */
export function tapeOf(engine: Engine): Tape {
  if (engine === lastEngine) return lastTape!;
  let t = tapes.get(engine);
  if (t === undefined) {
    t = new Tape(engine);
    tapes.set(engine, t);
  }
  lastEngine = engine;
  lastTape = t;
  return t;
}

let noGradDepth = 0;
let noGradGeneration = 0;

/** True inside a `noGrad` block. */
export function gradDisabled(): boolean {
  return noGradDepth > 0;
}

/**
 * Runs `fn` without recording gradients (PyTorch's `torch.no_grad()`): operations inside use the
 * inference plan, whose buffers are reused from one outermost noGrad block to the next. Returns fn's result.
 */
export function noGrad<T>(fn: () => T): T {
  if (noGradDepth === 0) noGradGeneration++;
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** Inputs of the operation being recorded (set by the op before begin; cleared by begin). */
export const IN: (Tensor | null)[] = [null, null, null, null, null, null, null, null];
/** Numeric attributes of the operation being recorded (the plan matches on them). */
export const ATTR: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/** Whether t carries a gradient path in `plan` now. */
function tracked(plan: Plan, t: Tensor | null): boolean {
  if (t === null) return false;
  if (t.requiresGrad) return true;
  const n = t.node;
  return n !== null && n.plan === plan && n.epoch === plan.epoch;
}

/** The plan a top-level operation (outside any Module.forward) records into. */
function topLevelPlan(tape: Tape, nIn: number): Plan {
  if (noGradDepth > 0) {
    if (tape.noGradSeen !== noGradGeneration) {
      tape.noGradSeen = noGradGeneration;
      tape.infer.restart();
    }
    return tape.infer;
  }
  const rec = tape.record;
  for (let i = 0; i < nIn; i++) {
    const t = IN[i]!;
    if (t === null) continue;
    if (t.requiresGrad || (t.node !== null && t.node.plan === rec && t.node.epoch === rec.epoch && !tape.closed)) return tape.openRecord();
  }
  return tape.infer;
}

function matches(node: Node, op: Op, nIn: number, nAttr: number): boolean {
  if (node.op !== op || node.shapes.length !== nIn || node.attrs.length !== nAttr) return false;
  for (let i = 0; i < nIn; i++) {
    const t = IN[i]!;
    const s = node.shapes[i]!;
    if (t === null) {
      if (s !== null) return false;
      continue;
    }
    if (s === null) return false;
    const ts = t.shape;
    if (ts.length !== s.length) return false;
    for (let d = 0; d < s.length; d++) if (ts[d] !== s[d]) return false;
  }
  for (let i = 0; i < nAttr; i++) if (node.attrs[i] !== ATTR[i]) return false;
  return true;
}

/**
 * Records one operation call: returns the node at the current position (reused when it
 * matches, else new with `out === null` so the op allocates its buffers). Inputs are taken from
 * `IN[0..nIn)`, attributes from `ATTR[0..nAttr)`.
 */
export function begin(engine: Engine, op: Op, nIn: number, nAttr: number): Node {
  const tape = tapeOf(engine);
  const plan = tape.active ?? topLevelPlan(tape, nIn);
  const pos = plan.pos;
  let node = plan.nodes[pos];
  if (node === undefined || !matches(node, op, nIn, nAttr)) {
    plan.truncate(pos);
    node = new Node(op, plan, engine);
    for (let i = 0; i < nIn; i++) {
      const t = IN[i]!;
      node.shapes.push(t === null ? null : [...t.shape]);
      node.inputs.push(null);
      node.track.push(false);
      node.acc.push(false);
      node.tmp.push(null);
    }
    for (let i = 0; i < nAttr; i++) node.attrs.push(ATTR[i]!);
    plan.nodes.push(node);
  }
  for (let i = 0; i < nIn; i++) {
    const t = IN[i]!;
    node.inputs[i] = t;
    node.track[i] = tracked(plan, t);
    IN[i] = null;
  }
  node.epoch = plan.epoch;
  node.index = pos;
  plan.pos = pos + 1;
  return node;
}

/** Marks `out` as the node's output (call once, when the op allocates it). */
export function setOutput(node: Node, out: Tensor, isView = false): Tensor {
  node.out = out;
  node.outIsView = isView;
  out.node = node;
  return out;
}

// ---- gradient routing (used by the ops' backward functions) ----

/** True when input i of node receives a gradient in this pass. */
export function needs(node: Node, i: number, tape: Tape): boolean {
  if (node.track[i]) return true;
  const t = node.inputs[i];
  return t !== null && t !== undefined && t === tape.wanted;
}

/** The gradient buffer of t, allocating it (owned by t's node, or by t for a leaf) on first use. */
export function gradOf(t: Tensor): Tensor {
  let g = t.grad;
  if (g === null) {
    g = t.engine.zeros(t.shape);
    t.grad = g;
    if (t.node === null) t.ownsGrad = true;
  }
  return g;
}

/** Whether writing the gradient of t in this pass must add to what is there. */
function accumulates(t: Tensor, tape: Tape): boolean {
  return t.requiresGrad || t.gradPass === tape.pass;
}

/**
 * Where input i's gradient may be WRITTEN (overwritten) by a kernel: its gradient buffer on the
 * first contribution of this pass, else a node-owned temporary that `commit` then adds in.
 */
export function gradDst(node: Node, i: number, tape: Tape): number {
  const t = node.inputs[i]!;
  const g = gradOf(t);
  if (!accumulates(t, tape)) {
    t.gradPass = tape.pass;
    node.acc[i] = false;
    return g.ptr;
  }
  node.acc[i] = true;
  let tmp = node.tmp[i]!;
  if (tmp === null) {
    tmp = node.engine.empty(t.shape);
    node.tmp[i] = tmp;
  }
  return tmp.ptr;
}

/** Completes a gradDst write (adds the temporary into the gradient when one was used). */
export function commit(node: Node, i: number, tape: Tape): void {
  if (!node.acc[i]) return;
  const t = node.inputs[i]!;
  const tmp = node.tmp[i]!;
  node.engine.kernels.axpy(t.size, 1, tmp.ptr, t.grad!.ptr);
  t.gradPass = tape.pass;
}

/** Where a kernel may ACCUMULATE input i's gradient (zeroed first on its first contribution of this pass). */
export function gradAcc(node: Node, i: number, tape: Tape): number {
  const t = node.inputs[i]!;
  const g = gradOf(t);
  if (!accumulates(t, tape)) {
    node.engine.kernels.fill(g.size, 0, g.ptr);
    t.gradPass = tape.pass;
  }
  return g.ptr;
}

/**
 * Walks `plan` backwards from `root` (whose gradient is seeded by `seed`) down to index `stop`,
 * running each reached node's backward.
 */
export function runBackward(tape: Tape, root: Tensor, seed: Tensor | null, stop: number): void {
  const node = root.node!;
  const plan = node.plan;
  const pass = ++tape.pass;
  const g = gradOf(root);
  const k = tape.engine.kernels;
  if (seed === null) k.fill(g.size, 1, g.ptr);
  else k.copy(g.size, seed.ptr, g.ptr);
  root.gradPass = pass;
  for (let i = node.index; i >= stop; i--) {
    const n = plan.nodes[i]!;
    // A node whose op threw before making its output (bad arguments, caught by the caller) has none.
    if (n.out === null || n.out.gradPass !== pass) continue;
    n.op.backward(n, tape);
  }
}

/** `loss.backward()`: gradients of everything that produced `root` (a one-element tensor unless `grad` is given). */
export function backward(root: Tensor, grad?: Tensor): void {
  const node = root.node;
  const what = "backward";
  if (node === null || !node.plan.recording) {
    throw new SimdnetError(`${what}: expected a tensor computed by operations in training mode with gradients enabled, got ${node === null ? "a tensor no operation produced (a leaf)" : "one computed in eval mode or under noGrad (nothing was recorded)"}`);
  }
  if (node.epoch !== node.plan.epoch || node.out !== root) {
    throw new SimdnetError(`${what}: expected a tensor of the current step, got one whose step was replaced by a later forward`);
  }
  if (grad === undefined && root.size !== 1) {
    throw new SimdnetError(`${what}: expected a one-element tensor (a loss) or a gradient argument, got shape [${root.shape.join(", ")}]`);
  }
  if (grad !== undefined && (grad.size !== root.size || grad.engine !== root.engine)) {
    throw new SimdnetError(`${what} grad: expected a tensor of shape [${root.shape.join(", ")}] on the same engine, got shape [${grad.shape.join(", ")}]`);
  }
  const tape = node.plan.tape;
  runBackward(tape, root, grad ?? null, 0);
  tape.closed = true;
}
