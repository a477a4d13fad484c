/**
 * The bookkeeping around every Module.forward call (PyTorch's `__call__`): which plan the
 * operations of a top-level forward go to, and what the module remembers for the old manual
 * loop's `backward(dy)` and for activation statistics (`output`).
 *
 * @module
 */
import { Tensor } from "../tensor.js";
import { gradDisabled, tapeOf, type Plan, type Tape } from "./tape.js";

/** What forward.ts needs of a Module (kept structural so src/autograd does not import src/nn). */
export interface ForwardState {
  readonly engine: import("../engine.js").Engine;
  training: boolean;
  lastIn: Tensor | null;
  lastOut: Tensor | null;
  fwdPlan: Plan | null;
  fwdStart: number;
}

/** True when t was produced in the running pass of `plan` (so a new top-level forward continues it). */
function fromPass(plan: Plan, t: Tensor | undefined): boolean {
  // Anything may arrive here (forward checks its arguments after this): only a Tensor has a node.
  if (!(t instanceof Tensor)) return false;
  const n = t.node;
  return n !== null && n.plan === plan && n.epoch === plan.epoch;
}

/**
 * Called on entry of a module's forward; returns the tape when this call is top-level (it
 * chose the plan and must clear it on exit), else null.
 */
export function enterForward(m: ForwardState, a?: Tensor, b?: Tensor, c?: Tensor, d?: Tensor): Tape | null {
  const tape = tapeOf(m.engine);
  let top: Tape | null = null;
  if (tape.active === null) {
    top = tape;
    if (!gradDisabled() && m.training) {
      // Same rule as below for the recording plan: a forward not fed by the open step starts a
      // new step (a training forward nobody backpropagated — for inspection, or a dropped model —
      // must not keep its buffers). Two modules used in one step go inside one parent forward.
      const rec = tape.record;
      if (!tape.closed && !(fromPass(rec, a) || fromPass(rec, b) || fromPass(rec, c) || fromPass(rec, d))) rec.restart();
      tape.active = tape.openRecord();
    } else {
      // Eval mode / noGrad: a forward fed by the running inference pass continues it (encoder →
      // decoder); any other starts the pass over, so buffers are reused call after call.
      const plan = tape.infer;
      if (!(fromPass(plan, a) || fromPass(plan, b) || fromPass(plan, c) || fromPass(plan, d))) plan.restart();
      tape.active = plan;
    }
  }
  const plan = tape.active!;
  m.fwdPlan = plan;
  m.fwdStart = plan.pos;
  m.lastIn = a ?? null;
  tape.depth++;
  return top;
}

/** Called on exit (also on a throw) of a module's forward. */
export function exitForward(m: ForwardState, top: Tape | null): void {
  const tape = top ?? tapeOf(m.engine);
  tape.depth--;
  if (top !== null) tape.active = null;
}
