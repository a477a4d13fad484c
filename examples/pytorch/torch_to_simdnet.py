#!/usr/bin/env python3
"""PyTorch → simdnet: trains a 2-16-2 tanh MLP on two moons in PyTorch and saves it as a simdnet
model folder (torch-moons/model.safetensors): the state dict under PyTorch's own keys, and the
simdnet description of the same architecture in the safetensors metadata, so `Model.load` needs
nothing else. Also writes torch-moons/expected.json: probe inputs and PyTorch's outputs for them.

    /usr/bin/python3 examples/pytorch/torch_to_simdnet.py      (Debian's python3-torch)

With the `safetensors` package installed, `safetensors.torch.save_file` does the same as
safetensors_lite.save_file."""
import json
import math
import os

import torch
import torch.nn as nn

from safetensors_lite import save_file

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


def make_moons(n, noise):
    t = torch.rand(n) * math.pi
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
    y = torch.randint(0, 2, (n,))
    x = torch.where(y[:, None] == 0, upper, lower) + noise * torch.randn(n, 2)
    return x, y


x, y = make_moons(1000, 0.1)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(30):
    for i in torch.randperm(len(x)).split(32):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x[i]), y[i]).backward()
        optimizer.step()
model.eval()
accuracy = (model(x).argmax(1) == y).float().mean().item()

# The same architecture in simdnet's words (Module.config()): layer for layer, PyTorch's keys.
description = {
    "format": "simdnet-model", "version": 1,
    "module": {"type": "Sequential", "layers": [
        {"type": "Linear", "inFeatures": 2, "outFeatures": 16, "bias": True},
        {"type": "Tanh"},
        {"type": "Linear", "inFeatures": 16, "outFeatures": 2, "bias": True},
    ]},
    "inputShape": [2],
    "extra": {"trainedWith": f"PyTorch {torch.__version__}", "trainAccuracy": accuracy},
}
out = os.path.join(here, "torch-moons")
os.makedirs(out, exist_ok=True)
save_file(model.state_dict(), os.path.join(out, "model.safetensors"), {"format": "pt", "simdnet": json.dumps(description)})

probe = torch.tensor([[-1, 0.5], [0, 1], [1, 0], [2, 0.5], [0.5, -0.3], [1.5, -0.5], [-0.5, 0.8], [0.2, 0.2]])
with torch.no_grad():
    logits = model(probe)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"inputs": probe.tolist(), "outputs": logits.tolist(), "probabilities": logits.softmax(1).tolist()}, f, indent=1)
print(f"trained in PyTorch: train accuracy {accuracy:.3f}; wrote {out}/model.safetensors and expected.json")
