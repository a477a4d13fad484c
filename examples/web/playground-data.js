// The Playground's two regression data sets, as TensorFlow Playground makes them: points uniform
// in [−6, 6]², the target computed at the point moved by uniform noise (±6·noise per coordinate),
// in [−1, 1]. The classification sets come from the library (playgroundDataset, makeMoons, …).
import { Rng } from "/dist/simdnet.bundle.js";

const RADIUS = 6;

/** The six Gaussian bumps of "multi-gauss": centre x, centre y, sign of the target. */
const BUMPS = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];

/** Target of "plane": (x + y) / 10, clamped to [−1, 1] as the Playground's scale is. */
function plane(x, y) {
  return Math.max(-1, Math.min(1, (x + y) / 10));
}

/** Target of "multi-gauss": the strongest bump, each falling linearly from ±1 at its centre to 0 at distance 2. */
function multiGauss(x, y) {
  let label = 0;
  for (const [cx, cy, sign] of BUMPS) {
    const v = sign * Math.max(0, Math.min(1, 1 - Math.hypot(x - cx, y - cy) / 2));
    if (Math.abs(v) > Math.abs(label)) label = v;
  }
  return label;
}

/** Regression data set names (URL keys) and their targets. */
export const REGRESSION_TARGETS = { plane, multigauss: multiGauss };

/**
 * Generates a regression set: { x (n × 2 floats), y (n float targets in [−1, 1]), n, features: 2 }.
 * @param {"plane" | "multigauss"} name
 * @param {number} n
 * @param {number} noise in [0, 0.5]: fraction of the radius
 * @param {number} seed
 */
export function makeRegression(name, n, noise, seed) {
  const target = REGRESSION_TARGETS[name];
  if (target === undefined) throw new Error(`unknown regression data set ${name}`);
  const rng = new Rng(seed);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(-RADIUS, RADIUS);
    const b = rng.uniform(-RADIUS, RADIUS);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = target(a + rng.uniform(-RADIUS, RADIUS) * noise, b + rng.uniform(-RADIUS, RADIUS) * noise);
  }
  return { x, y, n, features: 2 };
}
