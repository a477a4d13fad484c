#!/usr/bin/env python3
"""simdnet → PyTorch: loads a model folder that simdnet saved (`await model.save("simdnet-moons")`,
see simdnet_train.mjs) into torch.nn modules built from its model.json, and writes PyTorch's
outputs for the probe inputs to simdnet-moons/torch-outputs.json (the test compares simdnet's own
predictions with them).

    /usr/bin/python3 examples/pytorch/simdnet_to_torch.py

The state dict keys are PyTorch's, so `model.load_state_dict` takes the file as it is; with the
`safetensors` package, `safetensors.torch.load_file` reads it the same way as load_file here."""
import json
import os

import torch
import torch.nn as nn

from safetensors_lite import load_file

here = os.path.dirname(os.path.abspath(__file__))
folder = os.path.join(here, "simdnet-moons")


def build(config):
    """torch.nn module of a simdnet module config (the layers this example uses)."""
    kind = config["type"]
    if kind == "Sequential":
        return nn.Sequential(*[build(c) for c in config["layers"]])
    if kind == "Linear":
        return nn.Linear(config["inFeatures"], config["outFeatures"], bias=config.get("bias", True))
    if kind in ("ReLU", "Tanh", "Sigmoid", "Flatten", "Identity"):
        return getattr(nn, kind)()
    raise ValueError(f"no PyTorch mapping in this example for {kind}")


with open(os.path.join(folder, "model.json")) as f:
    description = json.load(f)
model = build(description["module"])
tensors, _ = load_file(os.path.join(folder, "model.safetensors"))
model.load_state_dict(tensors)
model.eval()

with open(os.path.join(folder, "probe.json")) as f:
    probe = torch.tensor(json.load(f)["inputs"])
with torch.no_grad():
    outputs = model(probe)
with open(os.path.join(folder, "torch-outputs.json"), "w") as f:
    json.dump({"inputs": probe.tolist(), "outputs": outputs.tolist(), "torch": torch.__version__}, f, indent=1)
print(f"PyTorch ran simdnet's model on {len(probe)} inputs; wrote {folder}/torch-outputs.json")
