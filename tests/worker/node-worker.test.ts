/**
 * fitInWorker in Node (a worker_thread). The worker runs the compiled package (dist/, built by
 * `npm install` / `npm ci` through `prepare`; after editing src/, `npm run build:ts`), so this
 * file imports dist/ too: one copy of the classes on both sides.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as sn from "../../dist/node.js";

let engine: sn.Engine;
beforeAll(async () => {
  engine = await sn.createEngine({ backend: "js" });
});

const ds = sn.makeMoons(300, 0.1, { rng: 2 });

function net(seed: number): sn.Model {
  sn.manualSeed(seed);
  return new sn.Model(new sn.Linear(2, 12, { engine }), new sn.Tanh({ engine }), new sn.Dropout(0.1, { engine }), new sn.Linear(12, 2, { engine }));
}

/** The error a call rejects with (a resolved value is reported by name only: it holds a whole engine). */
async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => "resolved", (e: unknown) => e);
}

const weights = (m: sn.Module): number[][] => m.parameters().map((p) => Array.from(p.data.f32));

describe("fitInWorker (Node worker_thread)", () => {
  it("trains exactly as fit does here: same History, same weights; the given model is unchanged", async () => {
    const model = net(1);
    const before = weights(model);
    const progress: sn.FitProgress[] = [];
    const epochs: number[] = [];
    const options = { epochs: 3, batchSize: 16, seed: 5, validationSplit: 0.2 } as const;
    const { model: trained, history } = await sn.fitInWorker(model, ds.x, ds.y, {
      ...options, optimizer: { type: "sgd", lr: 0.05, momentum: 0.9 }, scheduler: { type: "StepLR", stepSize: 1, gamma: 0.5 },
      progressEvery: { batches: 5 }, onProgress: (p) => progress.push(p), onEpochEnd: (l) => epochs.push(l.epoch),
    });
    expect(weights(model)).toEqual(before);
    expect(trained).toBeInstanceOf(sn.Model);
    expect(trained.engine).toBe(engine);

    const ref = net(1);
    const opt = new sn.SGD(ref, { lr: 0.05, momentum: 0.9 });
    const refHistory = await sn.fit(ref, ds.x, ds.y, { ...options, optimizer: opt, scheduler: new sn.StepLR(opt, { stepSize: 1, gamma: 0.5 }) });
    expect(weights(trained)).toEqual(weights(ref));
    expect(history.history.loss).toEqual(refHistory.history.loss);
    expect(history.history.valAccuracy).toEqual(refHistory.history.valAccuracy);
    expect(history.history.lr).toEqual([0.05, 0.025, 0.0125]);
    expect(epochs).toEqual([1, 2, 3]);
    // 240 training samples in batches of 16: 15 batches, reported at 5, 10, 15 of each epoch.
    expect(progress.map((p) => `${p.epoch}:${p.batch}`)).toEqual(["1:5", "1:10", "1:15", "2:5", "2:10", "2:15", "3:5", "3:10", "3:15"]);
    expect(progress.at(-1)!.loss).toBeCloseTo(history.history.loss[2]!, 12);
    expect(sn.predict(trained, ds.x)).toEqual(sn.predict(ref, ds.x));
    for (const m of [model, trained, ref]) m.dispose();
    opt.dispose();
  }, 30_000);

  it("an AbortSignal stops training after the current batch and the weights so far come back", async () => {
    const model = net(2);
    const controller = new AbortController();
    let seen = 0;
    const { model: trained, history } = await sn.fitInWorker(model, ds.x, ds.y, {
      epochs: 100_000, batchSize: 8, progressEvery: { batches: 1 }, signal: controller.signal,
      onProgress: () => { if (++seen === 3) controller.abort(); },
    });
    expect(history.stopped?.reason).toBe("aborted");
    expect(history.epochs.length).toBeLessThan(100_000);
    expect(weights(trained)).not.toEqual(weights(model));
    model.dispose();
    trained.dispose();
  }, 30_000);

  it("options that cannot cross a thread are refused by name; fit's own errors come back as SimdnetError", async () => {
    const model = net(3);
    const message = async (p: Promise<unknown>): Promise<string> => {
      const e = await errorOf(p);
      return e instanceof Error ? e.message : String(e);
    };
    expect(await message(sn.fitInWorker(model, ds.x, ds.y, { callbacks: [] } as never))).toBe(
      "fitInWorker callbacks: expected nothing (functions do not cross to the worker; use onProgress and onEpochEnd), got a value");
    const adam = new sn.Adam(model);
    expect(await message(sn.fitInWorker(model, ds.x, ds.y, { optimizer: adam } as never))).toBe(
      "fitInWorker optimizer: expected a name or a plain { type, ...options } object (optimizer objects live in one thread's memory), got \"Adam\"");
    adam.dispose();
    expect(await message(sn.fitInWorker(model, ds.x, ds.y, { epoch: 3 } as never))).toMatch(/^fitInWorker options: unknown option "epoch" \(expected one of epochs, .*, signal, onProgress, onEpochEnd, backend, threads\)$/);
    const bad = new Int32Array(ds.y);
    bad[4] = 7;
    const err = await errorOf(sn.fitInWorker(model, ds.x, bad, { epochs: 1 }));
    expect(err).toBeInstanceOf(sn.SimdnetError);
    expect((err as Error).message).toBe("fit y[4]: expected a class index in [0, 2) (the model has 2 outputs), got 7");
    expect(await message(sn.fitInWorker(model, ds.x, ds.y, { optimizer: "adagrad" }))).toBe('optimizer: expected one of sgd, adam, adamw, rmsprop, got "adagrad"');
    model.dispose();
  }, 30_000);
});
