// Kernels of the dropout family (contract: src/backend/contract/dropout.ts).
// The generator is a keyed two-round lowbias32 hash of the element counter. It uses only
// 32-bit multiplies, shifts and xors, so four counters hash at once in i32x4 lanes, and the
// result is bit-identical to the JS reference (src/backend/js/dropout.ts).

// @ts-ignore: decorator
@inline
function mix(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

// @ts-ignore: decorator
@inline
function mix4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  x = v128.xor(x, i32x4.shr_u(x, 16));
  return x;
}

// @ts-ignore: decorator
@inline
function uniform1(k1: u32, k2: u32, c: u32): f32 {
  return <f32>(mix(mix(c ^ k1) ^ k2) >>> 8) * (1.0 / 16777216.0);
}

// u for the four counters c..c+3 (wrapping): 24-bit integers convert to f32 exactly.
// @ts-ignore: decorator
@inline
function uniform4(k1: v128, k2: v128, c: u32): v128 {
  const ctr = i32x4.add(i32x4.splat(c), i32x4(0, 1, 2, 3));
  const b = mix4(v128.xor(mix4(v128.xor(ctr, k1)), k2));
  return f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(b, 8)), f32x4.splat(1.0 / 16777216.0));
}

export function dropoutForward(n: i32, p: f32, seed: u32, offset: u32, x: usize, y: usize, mask: usize): void {
  const k1 = mix(seed ^ 0x9e3779b9);
  const k2 = mix(seed ^ 0x6a09e667);
  const scale: f32 = <f32>1.0 / (<f32>1.0 - p);
  const vk1 = i32x4.splat(k1), vk2 = i32x4.splat(k2);
  const vp = f32x4.splat(p), vs = f32x4.splat(scale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const u = uniform4(vk1, vk2, offset + <u32>i);
    // keep lanes are all ones, so the and leaves scale there and +0 where dropped.
    const m = v128.and(f32x4.ge(u, vp), vs);
    v128.store(mask + o, m);
    v128.store(y + o, f32x4.mul(v128.load(x + o), m));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const m: f32 = uniform1(k1, k2, offset + <u32>i) < p ? 0 : scale;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}

export function uniformFill(n: i32, seed: u32, offset: u32, out: usize): void {
  const k1 = mix(seed ^ 0x9e3779b9);
  const k2 = mix(seed ^ 0x6a09e667);
  const vk1 = i32x4.splat(k1), vk2 = i32x4.splat(k2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(out + (<usize>i << 2), uniform4(vk1, vk2, offset + <u32>i));
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), uniform1(k1, k2, offset + <u32>i));
}
