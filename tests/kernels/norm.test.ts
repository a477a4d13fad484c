import { describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine.js";
import { assertClose, Scratch, testEngines } from "../helpers/engines.js";
import { ODD_SIZES, TestRandom } from "../helpers/random.js";

async function allEngines(): Promise<Engine[]> {
  const { js, wasm } = await testEngines();
  return [js, ...wasm];
}

interface Shape { batch: number; channels: number; spatial: number }

interface TrainIn {
  x: Float32Array;
  gamma: Float32Array | null;
  beta: Float32Array | null;
  /** Running mean and variance before the call; null = no tracking. */
  running: { mean: Float32Array; var: Float32Array } | null;
  momentum: number;
  eps: number;
}

interface TrainOut { y: Float32Array; mean: Float32Array; invStd: Float32Array; runMean: Float32Array | null; runVar: Float32Array | null }

function forwardTrain(e: Engine, sh: Shape, a: TrainIn): TrainOut {
  const s = new Scratch(e);
  const n = a.x.length;
  const xp = s.put(a.x);
  const gp = a.gamma ? s.put(a.gamma) : 0;
  const bp = a.beta ? s.put(a.beta) : 0;
  const yp = s.alloc(n * 4), mp = s.alloc(sh.channels * 4), ip = s.alloc(sh.channels * 4);
  const rmp = a.running ? s.put(a.running.mean) : 0;
  const rvp = a.running ? s.put(a.running.var) : 0;
  e.kernels.batchNormForwardTrain(sh.batch, sh.channels, sh.spatial, xp, gp, bp, yp, mp, ip, rmp, rvp, a.momentum, a.eps);
  const out = {
    y: s.f32(yp, n), mean: s.f32(mp, sh.channels), invStd: s.f32(ip, sh.channels),
    runMean: rmp ? s.f32(rmp, sh.channels) : null, runVar: rvp ? s.f32(rvp, sh.channels) : null,
  };
  expect(s.f32(xp, n), "x is read only").toEqual(a.x);
  s.freeAll();
  return out;
}

function forwardEval(
  e: Engine, sh: Shape, x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null,
  rm: Float32Array, rv: Float32Array, eps: number,
): Float32Array {
  const s = new Scratch(e);
  const xp = s.put(x);
  const gp = gamma ? s.put(gamma) : 0;
  const bp = beta ? s.put(beta) : 0;
  const rmp = s.put(rm), rvp = s.put(rv);
  const yp = s.alloc(x.length * 4);
  e.kernels.batchNormForwardEval(sh.batch, sh.channels, sh.spatial, xp, gp, bp, rmp, rvp, eps, yp);
  const y = s.f32(yp, x.length);
  expect(s.f32(rmp, sh.channels), "running mean is read only in eval").toEqual(rm);
  expect(s.f32(rvp, sh.channels), "running var is read only in eval").toEqual(rv);
  s.freeAll();
  return y;
}

interface BackOut { dx: Float32Array; dgamma: Float32Array | null; dbeta: Float32Array | null }

/** dgamma0 / dbeta0 are the accumulators' starting values (null: pointer 0, skipped). */
function backward(
  e: Engine, sh: Shape, x: Float32Array, dy: Float32Array, gamma: Float32Array | null,
  mean: Float32Array, invStd: Float32Array, dgamma0: Float32Array | null, dbeta0: Float32Array | null,
): BackOut {
  const s = new Scratch(e);
  const xp = s.put(x), dyp = s.put(dy), gp = gamma ? s.put(gamma) : 0;
  const mp = s.put(mean), ip = s.put(invStd);
  const dxp = s.alloc(x.length * 4);
  const dgp = dgamma0 ? s.put(dgamma0) : 0;
  const dbp = dbeta0 ? s.put(dbeta0) : 0;
  e.kernels.batchNormBackward(sh.batch, sh.channels, sh.spatial, xp, dyp, gp, mp, ip, dxp, dgp, dbp);
  const out = { dx: s.f32(dxp, x.length), dgamma: dgp ? s.f32(dgp, sh.channels) : null, dbeta: dbp ? s.f32(dbp, sh.channels) : null };
  s.freeAll();
  return out;
}

/** Float64 batch norm forward (training statistics), the ground truth of the gradient checks. */
function forward64(sh: Shape, x: ArrayLike<number>, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, eps: number): number[] {
  const { batch, channels, spatial } = sh;
  const y = new Array<number>(x.length);
  const n = batch * spatial;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let b = 0; b < batch; b++) for (let i = 0; i < spatial; i++) sum += x[(b * channels + c) * spatial + i]!;
    const mean = sum / n;
    let sq = 0;
    for (let b = 0; b < batch; b++) for (let i = 0; i < spatial; i++) sq += (x[(b * channels + c) * spatial + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / n + eps);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < spatial; i++) {
        const j = (b * channels + c) * spatial + i;
        y[j] = (x[j]! - mean) * inv * (gamma ? gamma[c]! : 1) + (beta ? beta[c]! : 0);
      }
    }
  }
  return y;
}

/** Input with a per-channel offset and scale, so statistics differ between channels. */
function makeInput(rnd: TestRandom, sh: Shape, offset = 3): Float32Array {
  const x = new Float32Array(sh.batch * sh.channels * sh.spatial);
  const loc = Array.from({ length: sh.channels }, () => rnd.uniform(-offset, offset));
  const scale = Array.from({ length: sh.channels }, () => rnd.uniform(0.2, 2));
  for (let b = 0; b < sh.batch; b++) {
    for (let c = 0; c < sh.channels; c++) {
      for (let i = 0; i < sh.spatial; i++) x[(b * sh.channels + c) * sh.spatial + i] = loc[c]! + scale[c]! * rnd.uniform(-1.7, 1.7);
    }
  }
  return x;
}

// Statistics are f64 sums in every backend (different order only), so saved mean/invStd and
// running stats differ at most by one f32 rounding: 2 ulps relative (2.4e-7), atol for means near 0.
const STAT_TOL = { rtol: 2.4e-7, atol: 1e-9 };
// y and dx: a few f32 operations on O(1..10) terms whose f32 inputs (mean, scale, k, ...) may
// differ by one ulp between backends, and relaxed-SIMD fuses a multiply-add (one rounding less):
// errors of a few ulps of the largest term (|x − mean|·scale ≤ ~10, i.e. ~1e-6).
const MAP_TOL = { rtol: 1e-6, atol: 3e-6 };

describe("batch norm on hand-computed values", () => {
  it("training forward: batch mean, biased variance, running stats with the unbiased variance", async () => {
    for (const e of await allEngines()) {
      // BatchNorm1d, one channel: x = 1..4, mean 2.5, biased var 1.25, unbiased 5/3.
      const sh = { batch: 4, channels: 1, spatial: 1 };
      const out = forwardTrain(e, sh, {
        x: new Float32Array([1, 2, 3, 4]), gamma: new Float32Array([2]), beta: new Float32Array([1]),
        running: { mean: new Float32Array([0]), var: new Float32Array([1]) }, momentum: 0.1, eps: 1e-5,
      });
      const inv = 1 / Math.sqrt(1.25 + 1e-5);
      assertClose(out.mean, [2.5], STAT_TOL, `${e.backend} mean`);
      assertClose(out.invStd, [inv], STAT_TOL, `${e.backend} invStd`);
      assertClose(out.y, [1, 2, 3, 4].map((v) => (v - 2.5) * inv * 2 + 1), MAP_TOL, `${e.backend} y`);
      // running = 0.9·running + 0.1·stat: 0.25 and 0.9 + 0.1·5/3.
      assertClose(out.runMean!, [0.25], STAT_TOL, `${e.backend} running mean`);
      assertClose(out.runVar!, [0.9 + 0.1 * 5 / 3], STAT_TOL, `${e.backend} running var`);

      // BatchNorm2d, batch 2, channels 2, 1×2 images: channel 0 holds 1, 3, 5, 7 (mean 4, var 5,
      // unbiased 20/3); channel 1 holds 10, 10, 10, 14 (mean 11, var 3, unbiased 4).
      const sh2 = { batch: 2, channels: 2, spatial: 2 };
      const o2 = forwardTrain(e, sh2, {
        x: new Float32Array([1, 3, 10, 10, 5, 7, 10, 14]), gamma: null, beta: null,
        running: { mean: new Float32Array([1, -1]), var: new Float32Array([2, 0.5]) }, momentum: 0.5, eps: 0,
      });
      assertClose(o2.mean, [4, 11], STAT_TOL, `${e.backend} 2d mean`);
      assertClose(o2.invStd, [1 / Math.sqrt(5), 1 / Math.sqrt(3)], STAT_TOL, `${e.backend} 2d invStd`);
      assertClose(o2.runMean!, [2.5, 5], STAT_TOL, `${e.backend} 2d running mean`);
      assertClose(o2.runVar!, [1 + 10 / 3, 2.25], STAT_TOL, `${e.backend} 2d running var`);
      const s5 = Math.sqrt(5), s3 = Math.sqrt(3);
      assertClose(o2.y, [-3 / s5, -1 / s5, -1 / s3, -1 / s3, 1 / s5, 3 / s5, -1 / s3, 3 / s3], MAP_TOL, `${e.backend} 2d y`);
    }
  });

  it("eval forward uses the running statistics, not the batch's (even a batch of one)", async () => {
    for (const e of await allEngines()) {
      const sh = { batch: 1, channels: 2, spatial: 3 };
      const x = new Float32Array([1, 2, 3, 4, 5, 6]);
      const y = forwardEval(e, sh, x, new Float32Array([2, -1]), new Float32Array([0.5, 0]), new Float32Array([1, 5]), new Float32Array([4, 0.25]), 0);
      // channel 0: (x − 1)/2·2 + 0.5; channel 1: (x − 5)/0.5·(−1).
      assertClose(y, [0.5, 1.5, 2.5, 2, 0, -2], MAP_TOL, e.backend);
    }
  });
});

describe("batch norm gradients vs float64 central differences", () => {
  it("dx, dgamma, dbeta on small shapes (affine and not, spatial 1 and > 1)", async () => {
    const rnd = new TestRandom(31);
    const shapes: Shape[] = [
      { batch: 3, channels: 2, spatial: 1 }, { batch: 5, channels: 6, spatial: 1 }, { batch: 2, channels: 3, spatial: 5 },
      { batch: 4, channels: 1, spatial: 9 }, { batch: 1, channels: 2, spatial: 7 }, { batch: 3, channels: 5, spatial: 4 },
    ];
    for (const e of await allEngines()) {
      for (const sh of shapes) {
        for (const affine of [true, false]) {
          const eps = 1e-5;
          const x = makeInput(rnd, sh);
          const gamma = affine ? rnd.floats(sh.channels, 0.5, 1.5) : null;
          const beta = affine ? rnd.floats(sh.channels, -1, 1) : null;
          const w = rnd.floats(x.length, -1, 1); // L = Σ w·y, so dL/dy = w
          const fwd = forwardTrain(e, sh, { x, gamma, beta, running: null, momentum: 0.1, eps });
          const zeros = new Float32Array(sh.channels);
          const g = backward(e, sh, x, w, gamma, fwd.mean, fwd.invStd, affine ? zeros : null, affine ? zeros : null);
          const loss = (xv: ArrayLike<number>, gv: ArrayLike<number> | null, bv: ArrayLike<number> | null): number =>
            forward64(sh, xv, gv, bv, eps).reduce((acc, yv, i) => acc + yv * w[i]!, 0);
          // h = 1e-4 in f64: truncation error ~h²·|L'''| ≈ 1e-8, round-off ~1e-16/h ≈ 1e-12.
          const h = 1e-4;
          const central = (f: (d: number) => number): number => (f(h) - f(-h)) / (2 * h);
          const xs = Array.from(x);
          const numDx = xs.map((_, i) => central((d) => { const v = xs.slice(); v[i]! += d; return loss(v, gamma, beta); }));
          // The kernels see f32 x, mean and invStd and compute dx in f32 from O(1) terms that cancel
          // (dx sums to 0 per channel): a few 1e-7 absolute; 2e-5 leaves margin and still
          // catches any wrong term (which would be O(0.1)).
          const ctx = `${e.backend} ${JSON.stringify(sh)} affine ${affine}`;
          assertClose(g.dx, numDx, { rtol: 1e-4, atol: 2e-5 }, `${ctx} dx`);
          if (affine) {
            const gs = Array.from(gamma!), bs = Array.from(beta!);
            const numG = gs.map((_, c) => central((d) => { const v = gs.slice(); v[c]! += d; return loss(x, v, beta); }));
            const numB = bs.map((_, c) => central((d) => { const v = bs.slice(); v[c]! += d; return loss(x, gamma, v); }));
            assertClose(g.dgamma!, numG, { rtol: 1e-4, atol: 2e-5 }, `${ctx} dgamma`);
            assertClose(g.dbeta!, numB, { rtol: 1e-4, atol: 2e-5 }, `${ctx} dbeta`);
          }
        }
      }
    }
  });

  it("dgamma and dbeta accumulate onto existing values; dx overwrites", async () => {
    const rnd = new TestRandom(32);
    for (const e of await allEngines()) {
      const sh = { batch: 3, channels: 5, spatial: 6 };
      const x = makeInput(rnd, sh), dy = rnd.floats(x.length), gamma = rnd.floats(5, 0.5, 1.5);
      const fwd = forwardTrain(e, sh, { x, gamma, beta: null, running: null, momentum: 0.1, eps: 1e-5 });
      const fresh = backward(e, sh, x, dy, gamma, fwd.mean, fwd.invStd, new Float32Array(5), new Float32Array(5));
      const start = rnd.floats(5, -3, 3);
      const acc = backward(e, sh, x, dy, gamma, fwd.mean, fwd.invStd, start, start);
      // One f32 addition on top of the fresh value: ≤ 1 ulp of |start| + |grad| (≤ ~10).
      assertClose(acc.dgamma!, start.map((s, c) => s + fresh.dgamma![c]!), { rtol: 2.4e-7, atol: 1e-6 }, `${e.backend} dgamma`);
      assertClose(acc.dbeta!, start.map((s, c) => s + fresh.dbeta![c]!), { rtol: 2.4e-7, atol: 1e-6 }, `${e.backend} dbeta`);
      expect(acc.dx, `${e.backend} dx`).toEqual(fresh.dx);
      // Pointers 0 skip the parameter gradients and leave dx unchanged.
      expect(backward(e, sh, x, dy, gamma, fwd.mean, fwd.invStd, null, null).dx, e.backend).toEqual(fresh.dx);
    }
  });

  it("large |mean|/std: y stays normalised (the f32 rounding of the mean is folded into the shift)", async () => {
    const rnd = new TestRandom(33);
    for (const e of await allEngines()) {
      for (const spatial of [1, 13]) {
        const sh = { batch: 64, channels: 5, spatial };
        const x = new Float32Array(sh.batch * sh.channels * spatial);
        for (let i = 0; i < x.length; i++) x[i] = 1000 + 0.1 * rnd.uniform(-1, 1); // mean/std ≈ 1.7e4
        const out = forwardTrain(e, sh, { x, gamma: null, beta: null, running: null, momentum: 0.1, eps: 0 });
        // x̂ is O(1); a mean off by half an f32 ulp of 1000 (3e-5) would shift it by ~5e-4.
        assertClose(out.y, forward64(sh, x, null, null, 0), { rtol: 1e-5, atol: 1e-5 }, `${e.backend} spatial ${spatial}`);
      }
    }
  });
});

describe("batch norm kernels: WASM vs js", () => {
  it("train forward, eval forward and backward agree on 220 random shapes", async () => {
    const { js, wasm } = await testEngines();
    const rnd = new TestRandom(34);
    for (let t = 0; t < 220; t++) {
      // Spatial 1 (BatchNorm1d, channel-blocked SIMD path) on a third of the cases; channel counts
      // and spatial sizes from the odd list hit the 4-wide tails of both paths.
      const spatial = t % 3 === 0 ? 1 : rnd.pick([...ODD_SIZES, 49, 196]);
      const channels = rnd.pick([...ODD_SIZES, 64]);
      const batch = Math.max(spatial === 1 ? 2 : 1, rnd.pick([1, 2, 3, 5, 8, 17, 33]));
      const sh = { batch, channels, spatial };
      const affine = rnd.next() < 0.7;
      const track = rnd.next() < 0.7;
      const x = makeInput(rnd, sh);
      const gamma = affine ? rnd.floats(channels, 0.5, 1.5) : null;
      const beta = affine ? rnd.floats(channels, -1, 1) : null;
      const running = track ? { mean: rnd.floats(channels, -1, 1), var: rnd.floats(channels, 0.5, 2) } : null;
      const momentum = rnd.pick([0.1, 0.01, 0.5]);
      const eps = rnd.pick([1e-5, 1e-3]);
      const dy = rnd.floats(x.length);
      const start = rnd.floats(channels);
      const rm = rnd.floats(channels, -1, 1), rv = rnd.floats(channels, 0.5, 2);

      const ref = forwardTrain(js, sh, { x, gamma, beta, running, momentum, eps });
      const refEval = forwardEval(js, sh, x, gamma, beta, rm, rv, eps);
      const refBack = backward(js, sh, x, dy, gamma, ref.mean, ref.invStd, affine ? start : null, affine ? start : null);
      for (const e of wasm) {
        const ctx = `${e.backend} ${JSON.stringify(sh)} affine ${affine} track ${track}`;
        const got = forwardTrain(e, sh, { x, gamma, beta, running, momentum, eps });
        assertClose(got.mean, ref.mean, STAT_TOL, `${ctx} saveMean`);
        assertClose(got.invStd, ref.invStd, STAT_TOL, `${ctx} saveInvStd`);
        assertClose(got.y, ref.y, MAP_TOL, `${ctx} y`);
        if (track) {
          assertClose(got.runMean!, ref.runMean!, STAT_TOL, `${ctx} running mean`);
          assertClose(got.runVar!, ref.runVar!, STAT_TOL, `${ctx} running var`);
        }
        assertClose(forwardEval(e, sh, x, gamma, beta, rm, rv, eps), refEval, MAP_TOL, `${ctx} eval y`);
        // Same saved statistics in, so backward differences come from the kernel alone.
        const back = backward(e, sh, x, dy, gamma, ref.mean, ref.invStd, affine ? start : null, affine ? start : null);
        assertClose(back.dx, refBack.dx, MAP_TOL, `${ctx} dx`);
        if (affine) {
          // f64 sums of up to 33·196 terms, rounded once to f32 then added to start: 2 ulps.
          assertClose(back.dgamma!, refBack.dgamma!, { rtol: 2.4e-7, atol: 1e-6 }, `${ctx} dgamma`);
          assertClose(back.dbeta!, refBack.dbeta!, { rtol: 2.4e-7, atol: 1e-6 }, `${ctx} dbeta`);
        }
      }
    }
  });
});
