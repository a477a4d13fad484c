// Kernels of the optim family (contract: src/backend/contract/optim.ts).
// Updates are memory-bound (3–6 streams per element), so they are plain f32x4 loops with no
// fused multiply-add: every operation is one rounded f32 op in the same order as the JS
// reference, which makes all builds (js, simd, relaxed-simd) bit-identical and a model's
// trajectory independent of the backend. Loop-invariant option flags branch inside the loop;
// the branches always go the same way and cost nothing next to the memory traffic.

// Optimizer state (momentum buffers, Adam's m and v, RMSprop's averages) smaller than 2^-100 in
// magnitude is stored as 0. A parameter whose gradient is exactly 0 (a dead ReLU unit, a weight
// from an always-black MNIST border pixel) has its state decay geometrically into subnormal
// floats; WASM has no flush-to-zero mode, and on x86 every multiply producing or reading a
// subnormal takes a microcode assist of ~100 cycles: W2 on real MNIST had 6418 subnormal Adam
// values after one epoch and its optimizer step ran several times slower. 2^-100 keeps every
// product of the update normal (β·state, lr·m) and changes an update by less than
// lr·2^-100/eps. NaN is kept (lt is false for NaN), so divergence still shows.
// Centered RMSprop's mean gradient ga is flushed below 2^-50 instead, so that ga·ga is 0 or at
// least 2^-100: were sq flushed and ga not, sq − ga·ga would turn negative and the update NaN.
const TINY: f32 = 7.888609052210118e-31; // 2^-100
const TINY_MEAN: f32 = 8.881784197001252e-16; // 2^-50

// @ts-ignore: decorator
@inline function flush4(x: v128, tiny: f32 = TINY): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(tiny)));
}

// @ts-ignore: decorator
@inline function flush1(x: f32, tiny: f32 = TINY): f32 {
  return Mathf.abs(x) < tiny ? <f32>0 : x;
}

// base^e by binary powering: the same f64 multiplications as the JS reference, so the bias
// corrections agree to the bit (Math.pow implementations differ between engines).
function powi(base: f64, e: i32): f64 {
  let r = 1.0;
  let b = base;
  while (e > 0) {
    if (e & 1) r *= b;
    b *= b;
    e >>= 1;
  }
  return r;
}

export function sgdStep(
  n: i32, param: usize, grad: usize, buf: usize, lr: f32, momentum: f32,
  dampening: f32, weightDecay: f32, nesterov: i32, firstStep: i32,
): void {
  const useWd = weightDecay != 0;
  const useMom = momentum != 0;
  const first = firstStep != 0;
  const nest = nesterov != 0;
  const keep: f32 = <f32>1 - dampening;
  const vWd = f32x4.splat(weightDecay), vMom = f32x4.splat(momentum);
  const vKeep = f32x4.splat(keep), vLr = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const p = v128.load(param + o);
    let g = v128.load(grad + o);
    if (useWd) g = f32x4.add(g, f32x4.mul(vWd, p));
    if (useMom) {
      let b = g;
      if (!first) b = flush4(f32x4.add(f32x4.mul(vMom, v128.load(buf + o)), f32x4.mul(vKeep, g)));
      v128.store(buf + o, b);
      g = nest ? f32x4.add(g, f32x4.mul(vMom, b)) : b;
    }
    v128.store(param + o, f32x4.sub(p, f32x4.mul(vLr, g)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const p = load<f32>(param + o);
    let g = load<f32>(grad + o);
    if (useWd) g = g + weightDecay * p;
    if (useMom) {
      let b = g;
      if (!first) b = flush1(momentum * load<f32>(buf + o) + keep * g);
      store<f32>(buf + o, b);
      g = nest ? g + momentum * b : b;
    }
    store<f32>(param + o, p - lr * g);
  }
}

export function adamStep(
  n: i32, param: usize, grad: usize, m: usize, v: usize, vMax: usize, lr: f32,
  beta1: f32, beta2: f32, eps: f32, weightDecay: f32, decoupled: i32,
  amsgrad: i32, step: i32,
): void {
  const dec = decoupled != 0;
  const useL2 = !dec && weightDecay != 0;
  const ams = amsgrad != 0;
  // Bias corrections once per call, in f64, as torch.optim does in Python floats.
  const stepSize = <f32>(<f64>lr / (1.0 - powi(<f64>beta1, step)));
  const bc2Sqrt = <f32>Math.sqrt(1.0 - powi(<f64>beta2, step));
  const decay = <f32>(1.0 - <f64>lr * <f64>weightDecay);
  const omb1: f32 = <f32>1 - beta1, omb2: f32 = <f32>1 - beta2;
  const vWd = f32x4.splat(weightDecay), vDecay = f32x4.splat(decay);
  const vB1 = f32x4.splat(beta1), vB2 = f32x4.splat(beta2);
  const vOmb1 = f32x4.splat(omb1), vOmb2 = f32x4.splat(omb2);
  const vStep = f32x4.splat(stepSize), vBc2 = f32x4.splat(bc2Sqrt), vEps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let p = v128.load(param + o);
    let g = v128.load(grad + o);
    if (dec) p = f32x4.mul(p, vDecay);
    else if (useL2) g = f32x4.add(g, f32x4.mul(vWd, p));
    const mi = flush4(f32x4.add(f32x4.mul(vB1, v128.load(m + o)), f32x4.mul(vOmb1, g)));
    let vi = flush4(f32x4.add(f32x4.mul(vB2, v128.load(v + o)), f32x4.mul(f32x4.mul(vOmb2, g), g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    if (ams) {
      vi = f32x4.max(v128.load(vMax + o), vi);
      v128.store(vMax + o, vi);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vBc2), vEps);
    v128.store(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(vStep, mi), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let p = load<f32>(param + o);
    let g = load<f32>(grad + o);
    if (dec) p = p * decay;
    else if (useL2) g = g + weightDecay * p;
    const mi = flush1(beta1 * load<f32>(m + o) + omb1 * g);
    let vi = flush1(beta2 * load<f32>(v + o) + (omb2 * g) * g);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    if (ams) {
      vi = max<f32>(load<f32>(vMax + o), vi);
      store<f32>(vMax + o, vi);
    }
    const denom = Mathf.sqrt(vi) / bc2Sqrt + eps;
    store<f32>(param + o, p - (stepSize * mi) / denom);
  }
}

export function rmspropStep(
  n: i32, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize,
  lr: f32, alpha: f32, eps: f32, weightDecay: f32, momentum: f32, centered: i32,
): void {
  const useWd = weightDecay != 0;
  const cen = centered != 0;
  const useMom = momentum > 0;
  const oma: f32 = <f32>1 - alpha;
  const vWd = f32x4.splat(weightDecay), vAlpha = f32x4.splat(alpha), vOma = f32x4.splat(oma);
  const vEps = f32x4.splat(eps), vMom = f32x4.splat(momentum), vLr = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const p = v128.load(param + o);
    let g = v128.load(grad + o);
    if (useWd) g = f32x4.add(g, f32x4.mul(vWd, p));
    const sq = flush4(f32x4.add(f32x4.mul(vAlpha, v128.load(squareAvg + o)), f32x4.mul(f32x4.mul(vOma, g), g)));
    v128.store(squareAvg + o, sq);
    let avg: v128;
    if (cen) {
      const ga = flush4(f32x4.add(f32x4.mul(vAlpha, v128.load(gradAvg + o)), f32x4.mul(vOma, g)), TINY_MEAN);
      v128.store(gradAvg + o, ga);
      avg = f32x4.add(f32x4.sqrt(f32x4.sub(sq, f32x4.mul(ga, ga))), vEps);
    } else {
      avg = f32x4.add(f32x4.sqrt(sq), vEps);
    }
    if (useMom) {
      const b = flush4(f32x4.add(f32x4.mul(vMom, v128.load(buf + o)), f32x4.div(g, avg)));
      v128.store(buf + o, b);
      v128.store(param + o, f32x4.sub(p, f32x4.mul(vLr, b)));
    } else {
      v128.store(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(vLr, g), avg)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const p = load<f32>(param + o);
    let g = load<f32>(grad + o);
    if (useWd) g = g + weightDecay * p;
    const sq = flush1(alpha * load<f32>(squareAvg + o) + (oma * g) * g);
    store<f32>(squareAvg + o, sq);
    let avg: f32;
    if (cen) {
      const ga = flush1(alpha * load<f32>(gradAvg + o) + oma * g, TINY_MEAN);
      store<f32>(gradAvg + o, ga);
      avg = Mathf.sqrt(sq - ga * ga) + eps;
    } else {
      avg = Mathf.sqrt(sq) + eps;
    }
    if (useMom) {
      const b = flush1(momentum * load<f32>(buf + o) + g / avg);
      store<f32>(buf + o, b);
      store<f32>(param + o, p - lr * b);
    } else {
      store<f32>(param + o, p - (lr * g) / avg);
    }
  }
}
