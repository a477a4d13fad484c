#!/usr/bin/env python3
"""The simdnet training workloads W2-W5 (issue 6) on PyTorch, one thread, float32, train mode.

Same models, batch sizes, optimizers and step as bench/train.ts: zero_grad, forward, loss,
backward, step, on one random batch of the right shape; median ms/step over timed rounds after
a warm-up. Prints a table, or JSON with --json (read by bench/peers/run.mjs).

PyTorch is not a dependency of simdnet. On Debian/Ubuntu (as the figures of issue 6 were taken):
    apt-get install python3-torch libopenblas0-pthread
Run it with the settings of issue 6 (run.mjs sets them itself):
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295 \
    python3 bench/peers/pytorch.py [--json] [--quick] [--filter W3]
(without the GLIBC_TUNABLES line glibc returns big tensors to the OS every step and W3 wanders
between 10 and 38 ms).
"""
import json
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("pytorch.py: PyTorch is not installed. Install it with\n"
          "  apt-get install python3-torch libopenblas0-pthread\n"
          "(Debian's packages, as in issue 6) and run again.", file=sys.stderr)
    sys.exit(3)


def workloads():
    return [
        dict(id="W2", batch=32, shape=(32, 784), classes=10, run_steps=0,
             build=lambda: (nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Dropout(0.5), nn.Linear(100, 10)),
                            nn.CrossEntropyLoss(), "adam")),
        dict(id="W3", batch=32, shape=(32, 1, 28, 28), classes=10, run_steps=0,
             build=lambda: (nn.Sequential(
                 nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2),
                 nn.Conv2d(32, 32, 3), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2),
                 nn.Flatten(), nn.Linear(800, 64), nn.ReLU(), nn.Linear(64, 10)), nn.CrossEntropyLoss(), "adam")),
        dict(id="W4", batch=64, shape=(64, 1, 28, 28), classes=10, run_steps=0,
             build=lambda: (nn.Sequential(
                 nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(10, 20, 5), nn.MaxPool2d(2), nn.ReLU(),
                 nn.Flatten(), nn.Linear(320, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10), nn.LogSoftmax(dim=1)),
                 nn.NLLLoss(), "adam")),
        dict(id="W5", batch=200, shape=(200, 2), classes=2, run_steps=10000,
             build=lambda: (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2)), nn.CrossEntropyLoss(), "sgd")),
    ]


POOL = 64


def make_batches(w):
    """As bench/train.ts: a pool of batches of zero-mean unit-variance inputs labelled by a fixed
    random linear teacher (uniform [0, 1) inputs kill W2's ReLU units and a single repeated batch
    is memorised; both drive Adam's moments into slow subnormals); W5 is make-moons, 200 points."""
    g = torch.Generator().manual_seed(20261125)
    if w["id"] == "W5":
        n = w["batch"]
        c = torch.arange(n) % 2
        t = torch.rand(n, generator=g) * torch.pi
        x0 = torch.where(c == 0, torch.cos(t), 1 - torch.cos(t)) + 0.2 * torch.randn(n, generator=g)
        x1 = torch.where(c == 0, torch.sin(t), 0.5 - torch.sin(t)) + 0.2 * torch.randn(n, generator=g)
        return [(torch.stack([x0, x1], 1), c)]
    per = 1
    for d in w["shape"][1:]:
        per *= d
    teacher = torch.rand(per, w["classes"], generator=g) - 0.5
    out = []
    for _ in range(POOL):
        x = torch.randn(*w["shape"], generator=g)
        out.append((x, (x.reshape(w["batch"], per) @ teacher).argmax(1)))
    return out


def time_workload(w, quick):
    torch.manual_seed(1)
    model, loss_fn, opt_name = w["build"]()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3) if opt_name == "adam" else torch.optim.SGD(model.parameters(), lr=0.01)
    batches = make_batches(w)
    state = {"next": 0}

    def step():
        x, y = batches[state["next"]]
        state["next"] = (state["next"] + 1) % len(batches)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    warm_ms = 150 if quick else 400
    t0 = time.perf_counter()
    warm = 0
    while warm < 5 or (time.perf_counter() - t0) * 1000 < warm_ms:
        step()
        warm += 1
    estimate = (time.perf_counter() - t0) * 1000 / warm
    round_ms, rounds = (40, 5) if quick else (150, 11)
    steps = max(1, round(round_ms / max(estimate, 1e-3)))
    times = []
    for _ in range(rounds):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        # As bench/train.ts: min of wall clock and process CPU time, so descheduled time does not count
        # (with several threads CPU time adds up over them: the wall clock alone is then the measure).
        wall = time.perf_counter() - t0
        times.append((wall if torch.get_num_threads() > 1 else min(wall, time.process_time() - c0)) * 1000 / steps)
    times.sort()
    return times[rounds // 2]


def main(argv):
    as_json = "--json" in argv
    quick = "--quick" in argv
    flt = argv[argv.index("--filter") + 1] if "--filter" in argv else None
    # --threads N: PyTorch's intra-op pool of N threads (issue 10 compares it with simdnet's threads).
    torch.set_num_threads(int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 1)
    results = []
    for w in workloads():
        if flt and flt not in w["id"]:
            continue
        ms = time_workload(w, quick)
        results.append(dict(workload=w["id"], peer="pytorch", threads=torch.get_num_threads(), msPerStep=ms))
        if not as_json:
            extra = f"  ({w['run_steps'] * ms / 1000:.2f} s for {w['run_steps']} steps)" if w["run_steps"] else ""
            print(f"{w['id']}  PyTorch {torch.__version__}  {ms:.3f} ms/step{extra}")
    if as_json:
        print(json.dumps(dict(peer="pytorch", version=torch.__version__, threads=torch.get_num_threads(), results=results)))


if __name__ == "__main__":
    main(sys.argv[1:])
