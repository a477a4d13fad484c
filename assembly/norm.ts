// Kernels of the norm family (contract: src/backend/contract/norm.ts).
// Statistics are accumulated in f64x2 lanes (each f32x4 load is promoted in two halves), over
// values shifted by the channel's first element: one pass gives sum and sum of squares without
// the cancellation of E[x²] − E[x]² when |mean| ≫ std. Normalising is (x − mean)·scale + shift
// in f32x4, so large means do not cancel either; the part of the f64 mean that rounding to f32
// loses is folded into the shift, so y stays accurate when |mean| ≫ std. Layout batch×channels×spatial: with spatial ≥ 4
// SIMD runs along a channel's spatial rows; BatchNorm1d (spatial = 1) has channels contiguous,
// so it takes blocks of four channels at a time and walks the batch.

// @ts-ignore: decorator
@inline
function hiHalf(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

// @ts-ignore: decorator
@inline
function lanes2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// c − a·b
// @ts-ignore: decorator
@inline
function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

// Stores the channel's saved statistics, updates the running ones (PyTorch's order, in f64) and
// returns 1/sqrt(var + eps) in f64.
// @ts-ignore: decorator
@inline
function finishStats(
  c: i32, mean: f64, variance: f64, count: f64, saveMean: usize, saveInvStd: usize,
  runningMean: usize, runningVar: usize, momentum: f32, eps: f32,
): f64 {
  const invStd = 1.0 / Math.sqrt(variance + <f64>eps);
  const o = <usize>c << 2;
  store<f32>(saveMean + o, <f32>mean);
  store<f32>(saveInvStd + o, <f32>invStd);
  if (runningMean != 0) {
    const mom = <f64>momentum;
    const unbiased = variance * count / (count - 1.0);
    store<f32>(runningMean + o, <f32>(mom * mean + (1.0 - mom) * <f64>load<f32>(runningMean + o)));
    store<f32>(runningVar + o, <f32>(mom * unbiased + (1.0 - mom) * <f64>load<f32>(runningVar + o)));
  }
  return invStd;
}

// beta − (mean − f32(mean))·scale: the shift that makes (x − f32(mean))·scale + shift equal
// (x − mean)·scale + beta.
// @ts-ignore: decorator
@inline
function shiftWithResidual(beta: usize, o: usize, mean: f64, meanF: f32, scale: f64): f32 {
  const b: f64 = beta != 0 ? <f64>load<f32>(beta + o) : 0.0;
  return <f32>(b - (mean - <f64>meanF) * scale);
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
    for (; c + 4 <= channels; c += 4) {
      const base = x + (<usize>c << 2);
      const k = v128.load(base);
      const kLo = f64x2.promote_low_f32x4(k), kHi = hiHalf(k);
      let s1Lo = f64x2.splat(0), s1Hi = f64x2.splat(0), s2Lo = f64x2.splat(0), s2Hi = f64x2.splat(0);
      for (let b = 0; b < batch; b++) {
        const v = v128.load(base + <usize>b * sample);
        const dLo = f64x2.sub(f64x2.promote_low_f32x4(v), kLo);
        const dHi = f64x2.sub(hiHalf(v), kHi);
        s1Lo = f64x2.add(s1Lo, dLo); s1Hi = f64x2.add(s1Hi, dHi);
        s2Lo = f64x2.add(s2Lo, f64x2.mul(dLo, dLo)); s2Hi = f64x2.add(s2Hi, f64x2.mul(dHi, dHi));
      }
      let vMean = f32x4.splat(0), vScale = f32x4.splat(0), vShift = f32x4.splat(0);
      for (let j = 0; j < 4; j++) {
        let s1: f64, s2: f64, kj: f64;
        // Lane indices must be constants: unrolled by j.
        if (j == 0) { s1 = f64x2.extract_lane(s1Lo, 0); s2 = f64x2.extract_lane(s2Lo, 0); kj = f64x2.extract_lane(kLo, 0); }
        else if (j == 1) { s1 = f64x2.extract_lane(s1Lo, 1); s2 = f64x2.extract_lane(s2Lo, 1); kj = f64x2.extract_lane(kLo, 1); }
        else if (j == 2) { s1 = f64x2.extract_lane(s1Hi, 0); s2 = f64x2.extract_lane(s2Hi, 0); kj = f64x2.extract_lane(kHi, 0); }
        else { s1 = f64x2.extract_lane(s1Hi, 1); s2 = f64x2.extract_lane(s2Hi, 1); kj = f64x2.extract_lane(kHi, 1); }
        const mean = kj + s1 / count;
        const variance = max<f64>(0, (s2 - s1 * s1 / count) / count);
        const ch = c + j;
        const invStd = finishStats(ch, mean, variance, count, saveMean, saveInvStd, runningMean, runningVar, momentum, eps);
        const o = <usize>ch << 2;
        const g: f64 = gamma != 0 ? <f64>load<f32>(gamma + o) : 1.0;
        const meanF = <f32>mean;
        const scale64 = invStd * g;
        const scale = <f32>scale64;
        const sh = shiftWithResidual(beta, o, mean, meanF, scale64);
        if (j == 0) { vMean = f32x4.replace_lane(vMean, 0, meanF); vScale = f32x4.replace_lane(vScale, 0, scale); vShift = f32x4.replace_lane(vShift, 0, sh); }
        else if (j == 1) { vMean = f32x4.replace_lane(vMean, 1, meanF); vScale = f32x4.replace_lane(vScale, 1, scale); vShift = f32x4.replace_lane(vShift, 1, sh); }
        else if (j == 2) { vMean = f32x4.replace_lane(vMean, 2, meanF); vScale = f32x4.replace_lane(vScale, 2, scale); vShift = f32x4.replace_lane(vShift, 2, sh); }
        else { vMean = f32x4.replace_lane(vMean, 3, meanF); vScale = f32x4.replace_lane(vScale, 3, scale); vShift = f32x4.replace_lane(vShift, 3, sh); }
      }
      const yBase = y + (<usize>c << 2);
      for (let b = 0; b < batch; b++) {
        const o = <usize>b * sample;
        v128.store(yBase + o, madd(f32x4.sub(v128.load(base + o), vMean), vScale, vShift));
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
        const dLo = f64x2.sub(f64x2.promote_low_f32x4(v), vk);
        const dHi = f64x2.sub(hiHalf(v), vk);
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
    const invStd = finishStats(c, mean, variance, count, saveMean, saveInvStd, runningMean, runningVar, momentum, eps);
    const o = <usize>c << 2;
    const g: f64 = gamma != 0 ? <f64>load<f32>(gamma + o) : 1.0;
    const meanF = <f32>mean;
    const scale64 = invStd * g;
    const sh = shiftWithResidual(beta, o, mean, meanF, scale64);
    const scale = <f32>scale64;
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      normalizeRow(x + off, y + off, spatial, meanF, scale, sh);
    }
  }
}

export function batchNormForwardEval(
  batch: i32, channels: i32, spatial: i32, x: usize, gamma: usize, beta: usize,
  runningMean: usize, runningVar: usize, eps: f32, y: usize,
): void {
  const row = <usize>spatial << 2;
  const sample = <usize>channels * row;
  if (spatial == 1) {
    // Per-channel scale/shift rows are not stored anywhere (no scratch), so recompute them per
    // sample: C square roots per sample is small next to C loads.
    for (let b = 0; b < batch; b++) {
      const off = <usize>b * sample;
      for (let c = 0; c < channels; c++) {
        const o = <usize>c << 2;
        const invStd = 1.0 / Math.sqrt(<f64>load<f32>(runningVar + o) + <f64>eps);
        const g: f64 = gamma != 0 ? <f64>load<f32>(gamma + o) : 1.0;
        const sh: f32 = beta != 0 ? load<f32>(beta + o) : 0;
        store<f32>(y + off + o, (load<f32>(x + off + o) - load<f32>(runningMean + o)) * <f32>(invStd * g) + sh);
      }
    }
    return;
  }
  for (let c = 0; c < channels; c++) {
    const o = <usize>c << 2;
    const invStd = 1.0 / Math.sqrt(<f64>load<f32>(runningVar + o) + <f64>eps);
    const g: f64 = gamma != 0 ? <f64>load<f32>(gamma + o) : 1.0;
    const sh: f32 = beta != 0 ? load<f32>(beta + o) : 0;
    const scale = <f32>(invStd * g);
    const mean = load<f32>(runningMean + o);
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      normalizeRow(x + off, y + off, spatial, mean, scale, sh);
    }
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

export function batchNormBackward(
  batch: i32, channels: i32, spatial: i32, x: usize, dy: usize, gamma: usize,
  saveMean: usize, saveInvStd: usize, dx: usize, dgamma: usize, dbeta: usize,
): void {
  const count = <f64>batch * <f64>spatial;
  const row = <usize>spatial << 2;
  const sample = <usize>channels * row;
  for (let c = 0; c < channels; c++) {
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
        const dLo = f64x2.promote_low_f32x4(dv), dHi = hiHalf(dv);
        sLo = f64x2.add(sLo, dLo); sHi = f64x2.add(sHi, dHi);
        pLo = f64x2.add(pLo, f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(xv), vm), dLo));
        pHi = f64x2.add(pHi, f64x2.mul(f64x2.sub(hiHalf(xv), vm), dHi));
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
    const w: f64 = gamma != 0 ? <f64>load<f32>(gamma + o) : 1.0;
    const k = <f32>(dot * invStd * invStd / count);
    const gm = <f32>(sumDy / count);
    const aw = <f32>(invStd * w);
    for (let b = 0; b < batch; b++) {
      const off = <usize>c * row + <usize>b * sample;
      backwardRow(x + off, dy + off, dx + off, spatial, meanF, k, gm, aw);
    }
    if (dgamma != 0) store<f32>(dgamma + o, load<f32>(dgamma + o) + <f32>(dot * invStd));
    if (dbeta != 0) store<f32>(dbeta + o, load<f32>(dbeta + o) + <f32>sumDy);
  }
}
