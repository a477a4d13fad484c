// Kernels of the norm family (contract: src/backend/contract/norm.ts).
// Statistics are accumulated in f64x2 lanes (each f32x4 load is promoted in two halves), over
// values shifted by the channel's first element: one pass gives sum and sum of squares without
// the cancellation of E[x²] − E[x]² when |mean| ≫ std. Normalising is (x − mean)·scale + shift
// in f32x4, so large means do not cancel either; the part of the f64 mean that rounding to f32
// loses is folded into the shift, so y stays accurate when |mean| ≫ std.
// Layout batch×channels×spatial: with spatial > 1 SIMD runs along a channel's spatial rows;
// BatchNorm1d (spatial = 1) has channels contiguous, so it takes blocks of four channels and
// walks the batch, computing the four channels' scalars in f64x2 lanes (the same f64 operations
// as the one-channel path, so both paths give the same bits).

import { madd } from "./math";

// @ts-ignore: decorator
@inline
function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline
function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

// Four f64 lanes (lo, hi) rounded to one f32x4.
// @ts-ignore: decorator
@inline
function demote4(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline
function lanes2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// c − a·b
// @ts-ignore: decorator
@inline
function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

// y = (x − mean)·scale + shift over `len` floats.
// @ts-ignore: decorator
@inline
function normalizeRow(x: usize, y: usize, len: i32, mean: f32, scale: f32, shift: f32): void {
  const vm = f32x4.splat(mean), vs = f32x4.splat(scale), vb = f32x4.splat(shift);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(f32x4.sub(v128.load(x + o), vm), vs, vb));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, (load<f32>(x + o) - mean) * scale + shift);
  }
}

// dx = ((dy − (x − mean)·k) − gm)·aw over `len` floats.
// @ts-ignore: decorator
@inline
function backwardRow(x: usize, dy: usize, dx: usize, len: i32, mean: f32, k: f32, gm: f32, aw: f32): void {
  const vm = f32x4.splat(mean), vk = f32x4.splat(k), vg = f32x4.splat(gm), va = f32x4.splat(aw);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const xc = f32x4.sub(v128.load(x + o), vm);
    v128.store(dx + o, f32x4.mul(f32x4.sub(nmadd(xc, vk, v128.load(dy + o)), vg), va));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const xc = load<f32>(x + o) - mean;
    store<f32>(dx + o, ((load<f32>(dy + o) - xc * k) - gm) * aw);
  }
}

export function batchNormForwardTrain(
  batch: i32, channels: i32, spatial: i32, x: usize, gamma: usize, beta: usize,
  y: usize, saveMean: usize, saveInvStd: usize, runningMean: usize, runningVar: usize,
  momentum: f32, eps: f32,
): void {
  const count = <f64>batch * <f64>spatial;
  const row = <usize>spatial << 2;
  const sample = <usize>channels * row;
  let c = 0;
  if (spatial == 1) {
    const cnt = f64x2.splat(count), one = f64x2.splat(1.0), zero = f64x2.splat(0.0);
    const vEps = f64x2.splat(<f64>eps), mom = f64x2.splat(<f64>momentum), keep = f64x2.splat(1.0 - <f64>momentum);
    for (; c + 4 <= channels; c += 4) {
      const o = <usize>c << 2;
      const base = x + o;
      const k = v128.load(base);
      const kLo = lo64(k), kHi = hi64(k);
      let s1Lo = zero, s1Hi = zero, s2Lo = zero, s2Hi = zero;
      for (let b = 0; b < batch; b++) {
        const v = v128.load(base + <usize>b * sample);
        const dLo = f64x2.sub(lo64(v), kLo), dHi = f64x2.sub(hi64(v), kHi);
        s1Lo = f64x2.add(s1Lo, dLo); s1Hi = f64x2.add(s1Hi, dHi);
        s2Lo = f64x2.add(s2Lo, f64x2.mul(dLo, dLo)); s2Hi = f64x2.add(s2Hi, f64x2.mul(dHi, dHi));
      }
      const meanLo = f64x2.add(kLo, f64x2.div(s1Lo, cnt)), meanHi = f64x2.add(kHi, f64x2.div(s1Hi, cnt));
      const varLo = f64x2.max(zero, f64x2.div(f64x2.sub(s2Lo, f64x2.div(f64x2.mul(s1Lo, s1Lo), cnt)), cnt));
      const varHi = f64x2.max(zero, f64x2.div(f64x2.sub(s2Hi, f64x2.div(f64x2.mul(s1Hi, s1Hi), cnt)), cnt));
      const invLo = f64x2.div(one, f64x2.sqrt(f64x2.add(varLo, vEps)));
      const invHi = f64x2.div(one, f64x2.sqrt(f64x2.add(varHi, vEps)));
      const meanF = demote4(meanLo, meanHi);
      v128.store(saveMean + o, meanF);
      v128.store(saveInvStd + o, demote4(invLo, invHi));
      if (runningMean != 0) {
        const cm1 = f64x2.sub(cnt, one);
        const rm = v128.load(runningMean + o), rv = v128.load(runningVar + o);
        v128.store(runningMean + o, demote4(
          f64x2.add(f64x2.mul(mom, meanLo), f64x2.mul(keep, lo64(rm))),
          f64x2.add(f64x2.mul(mom, meanHi), f64x2.mul(keep, hi64(rm)))));
        v128.store(runningVar + o, demote4(
          f64x2.add(f64x2.mul(mom, f64x2.div(f64x2.mul(varLo, cnt), cm1)), f64x2.mul(keep, lo64(rv))),
          f64x2.add(f64x2.mul(mom, f64x2.div(f64x2.mul(varHi, cnt), cm1)), f64x2.mul(keep, hi64(rv)))));
      }
      let scLo = invLo, scHi = invHi;
      if (gamma != 0) {
        const g = v128.load(gamma + o);
        scLo = f64x2.mul(invLo, lo64(g)); scHi = f64x2.mul(invHi, hi64(g));
      }
      let bLo = zero, bHi = zero;
      if (beta != 0) {
        const bv = v128.load(beta + o);
        bLo = lo64(bv); bHi = hi64(bv);
      }
      const vScale = demote4(scLo, scHi);
      const vShift = demote4(
        f64x2.sub(bLo, f64x2.mul(f64x2.sub(meanLo, lo64(meanF)), scLo)),
        f64x2.sub(bHi, f64x2.mul(f64x2.sub(meanHi, hi64(meanF)), scHi)));
      const yBase = y + o;
      for (let b = 0; b < batch; b++) {
        const off = <usize>b * sample;
        v128.store(yBase + off, madd(f32x4.sub(v128.load(base + off), meanF), vScale, vShift));
      }
    }
  }
  for (; c < channels; c++) {
    const base = x + <usize>c * row;
    const k = <f64>load<f32>(base);
    const vk = f64x2.splat(k);
    let aLo = f64x2.splat(0), aHi = f64x2.splat(0), qLo = f64x2.splat(0), qHi = f64x2.splat(0);
    let s1 = 0.0, s2 = 0.0;
    for (let b = 0; b < batch; b++) {
      const r = base + <usize>b * sample;
      let i = 0;
      for (; i + 4 <= spatial; i += 4) {
        const v = v128.load(r + (<usize>i << 2));
        const dLo = f64x2.sub(lo64(v), vk), dHi = f64x2.sub(hi64(v), vk);
        aLo = f64x2.add(aLo, dLo); aHi = f64x2.add(aHi, dHi);
        qLo = f64x2.add(qLo, f64x2.mul(dLo, dLo)); qHi = f64x2.add(qHi, f64x2.mul(dHi, dHi));
      }
      for (; i < spatial; i++) {
        const d = <f64>load<f32>(r + (<usize>i << 2)) - k;
        s1 += d;
        s2 += d * d;
      }
    }
    s1 += lanes2(f64x2.add(aLo, aHi));
    s2 += lanes2(f64x2.add(qLo, qHi));
    const mean = k + s1 / count;
    const variance = max<f64>(0, (s2 - s1 * s1 / count) / count);
    const invStd = 1.0 / Math.sqrt(variance + <f64>eps);
    const o = <usize>c << 2;
    const meanF = <f32>mean;
    store<f32>(saveMean + o, meanF);
    store<f32>(saveInvStd + o, <f32>invStd);
    if (runningMean != 0) {
      const mom = <f64>momentum;
      const unbiased = variance * count / (count - 1.0);
      store<f32>(runningMean + o, <f32>(mom * mean + (1.0 - mom) * <f64>load<f32>(runningMean + o)));
      store<f32>(runningVar + o, <f32>(mom * unbiased + (1.0 - mom) * <f64>load<f32>(runningVar + o)));
    }
    const scale64 = gamma != 0 ? invStd * <f64>load<f32>(gamma + o) : invStd;
    const b64: f64 = beta != 0 ? <f64>load<f32>(beta + o) : 0.0;
    const shift = <f32>(b64 - (mean - <f64>meanF) * scale64);
    const scale = <f32>scale64;
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      normalizeRow(x + off, y + off, spatial, meanF, scale, shift);
    }
  }
}

export function batchNormForwardEval(
  batch: i32, channels: i32, spatial: i32, x: usize, gamma: usize, beta: usize,
  runningMean: usize, runningVar: usize, eps: f32, y: usize,
): void {
  const row = <usize>spatial << 2;
  const sample = <usize>channels * row;
  let c = 0;
  if (spatial == 1) {
    const one = f64x2.splat(1.0), vEps = f64x2.splat(<f64>eps);
    for (; c + 4 <= channels; c += 4) {
      const o = <usize>c << 2;
      const rv = v128.load(runningVar + o);
      let scLo = f64x2.div(one, f64x2.sqrt(f64x2.add(lo64(rv), vEps)));
      let scHi = f64x2.div(one, f64x2.sqrt(f64x2.add(hi64(rv), vEps)));
      if (gamma != 0) {
        const g = v128.load(gamma + o);
        scLo = f64x2.mul(scLo, lo64(g)); scHi = f64x2.mul(scHi, hi64(g));
      }
      const vScale = demote4(scLo, scHi);
      const vShift = beta != 0 ? v128.load(beta + o) : f32x4.splat(0);
      const vMean = v128.load(runningMean + o);
      for (let b = 0; b < batch; b++) {
        const off = <usize>b * sample + o;
        v128.store(y + off, madd(f32x4.sub(v128.load(x + off), vMean), vScale, vShift));
      }
    }
  }
  for (; c < channels; c++) {
    const o = <usize>c << 2;
    const invStd = 1.0 / Math.sqrt(<f64>load<f32>(runningVar + o) + <f64>eps);
    const scale = <f32>(gamma != 0 ? invStd * <f64>load<f32>(gamma + o) : invStd);
    const shift: f32 = beta != 0 ? load<f32>(beta + o) : 0;
    const mean = load<f32>(runningMean + o);
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      normalizeRow(x + off, y + off, spatial, mean, scale, shift);
    }
  }
}

export function batchNormBackward(
  batch: i32, channels: i32, spatial: i32, x: usize, dy: usize, gamma: usize,
  saveMean: usize, saveInvStd: usize, dx: usize, dgamma: usize, dbeta: usize,
): void {
  const count = <f64>batch * <f64>spatial;
  const row = <usize>spatial << 2;
  const sample = <usize>channels * row;
  let c = 0;
  if (spatial == 1) {
    const cnt = f64x2.splat(count), zero = f64x2.splat(0.0);
    for (; c + 4 <= channels; c += 4) {
      const o = <usize>c << 2;
      const vm = v128.load(saveMean + o);
      const mLo = lo64(vm), mHi = hi64(vm);
      let sLo = zero, sHi = zero, pLo = zero, pHi = zero;
      for (let b = 0; b < batch; b++) {
        const off = <usize>b * sample + o;
        const xv = v128.load(x + off), dv = v128.load(dy + off);
        const dLo = lo64(dv), dHi = hi64(dv);
        sLo = f64x2.add(sLo, dLo); sHi = f64x2.add(sHi, dHi);
        pLo = f64x2.add(pLo, f64x2.mul(f64x2.sub(lo64(xv), mLo), dLo));
        pHi = f64x2.add(pHi, f64x2.mul(f64x2.sub(hi64(xv), mHi), dHi));
      }
      const inv = v128.load(saveInvStd + o);
      const iLo = lo64(inv), iHi = hi64(inv);
      let awLo = iLo, awHi = iHi;
      if (gamma != 0) {
        const g = v128.load(gamma + o);
        awLo = f64x2.mul(iLo, lo64(g)); awHi = f64x2.mul(iHi, hi64(g));
      }
      const vK = demote4(f64x2.div(f64x2.mul(f64x2.mul(pLo, iLo), iLo), cnt), f64x2.div(f64x2.mul(f64x2.mul(pHi, iHi), iHi), cnt));
      const vG = demote4(f64x2.div(sLo, cnt), f64x2.div(sHi, cnt));
      const vA = demote4(awLo, awHi);
      for (let b = 0; b < batch; b++) {
        const off = <usize>b * sample + o;
        const xc = f32x4.sub(v128.load(x + off), vm);
        v128.store(dx + off, f32x4.mul(f32x4.sub(nmadd(xc, vK, v128.load(dy + off)), vG), vA));
      }
      if (dgamma != 0) v128.store(dgamma + o, f32x4.add(v128.load(dgamma + o), demote4(f64x2.mul(pLo, iLo), f64x2.mul(pHi, iHi))));
      if (dbeta != 0) v128.store(dbeta + o, f32x4.add(v128.load(dbeta + o), demote4(sLo, sHi)));
    }
  }
  for (; c < channels; c++) {
    const o = <usize>c << 2;
    const meanF = load<f32>(saveMean + o);
    const mean = <f64>meanF;
    const vm = f64x2.splat(mean);
    let sLo = f64x2.splat(0), sHi = f64x2.splat(0), pLo = f64x2.splat(0), pHi = f64x2.splat(0);
    let sumDy = 0.0, dot = 0.0;
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      const xr = x + off, dr = dy + off;
      let i = 0;
      for (; i + 4 <= spatial; i += 4) {
        const io = <usize>i << 2;
        const xv = v128.load(xr + io), dv = v128.load(dr + io);
        const dLo = lo64(dv), dHi = hi64(dv);
        sLo = f64x2.add(sLo, dLo); sHi = f64x2.add(sHi, dHi);
        pLo = f64x2.add(pLo, f64x2.mul(f64x2.sub(lo64(xv), vm), dLo));
        pHi = f64x2.add(pHi, f64x2.mul(f64x2.sub(hi64(xv), vm), dHi));
      }
      for (; i < spatial; i++) {
        const io = <usize>i << 2;
        const d = <f64>load<f32>(dr + io);
        sumDy += d;
        dot += (<f64>load<f32>(xr + io) - mean) * d;
      }
    }
    sumDy += lanes2(f64x2.add(sLo, sHi));
    dot += lanes2(f64x2.add(pLo, pHi));
    const invStd = <f64>load<f32>(saveInvStd + o);
    const k = <f32>(dot * invStd * invStd / count);
    const gm = <f32>(sumDy / count);
    const aw = <f32>(gamma != 0 ? invStd * <f64>load<f32>(gamma + o) : invStd);
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      backwardRow(x + off, dy + off, dx + off, spatial, meanF, k, gm, aw);
    }
    if (dgamma != 0) store<f32>(dgamma + o, load<f32>(dgamma + o) + <f32>(dot * invStd));
    if (dbeta != 0) store<f32>(dbeta + o, load<f32>(dbeta + o) + <f32>sumDy);
  }
}
