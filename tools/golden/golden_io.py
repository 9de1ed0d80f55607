"""Shared helpers for the golden-file generators.

Each generator records cases with `record_case`: it runs a PyTorch function (or module) on seeded
inputs, back-propagates a seeded random upstream gradient, and saves one safetensors file per case
under tests/golden/<group>/<name>.safetensors with these keys:

  in.<i>          input i (float32; integer inputs such as class indices are stored as floats)
  out             the output
  gout            the upstream gradient fed to backward (absent if the output is not differentiable)
  gin.<i>         gradient of input i (only for inputs created with requires_grad)
  param.<name>    a module's state dict entry (parameters and buffers, after the forward pass)
  gparam.<name>   gradient of a module parameter
  attr.<name>     a scalar attribute the C# test may need (stored as a 1-element tensor)

The safetensors writer is written out here so that only Debian's python3-torch is needed.
Run with /usr/bin/python3 (Debian's interpreter, which has torch).
"""
import json
import os
import struct

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden"))


def save_safetensors(path, tensors, dtype=torch.float32):
    """Writes an ordered dict of tensors as a safetensors file (F32 unless dtype says otherwise)."""
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.float16: "F16", torch.bfloat16: "BF16"}
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        t = tensor.detach().contiguous()
        if t.dtype not in names:
            t = t.to(dtype)
        raw = t.cpu().reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def record_case(group, name, fn, inputs, module=None, attrs=None, seed=0, differentiable=True):
    """Runs fn(*inputs), back-propagates a seeded random gradient, and saves the case.

    fn: a callable (when module is given, usually the module itself).
    inputs: tensors; those with requires_grad=True get their gradients saved.
    """
    torch.manual_seed(seed + 1000)
    out = fn(*inputs)
    entries = {}
    for i, x in enumerate(inputs):
        entries[f"in.{i}"] = x.detach().float()
    entries["out"] = out.detach().float()
    if differentiable and out.requires_grad:
        gout = torch.randn(out.shape, dtype=out.dtype)
        out.backward(gout)
        entries["gout"] = gout
        for i, x in enumerate(inputs):
            if x.requires_grad and x.grad is not None:
                entries[f"gin.{i}"] = x.grad.detach().float()
    if module is not None:
        for key, value in module.state_dict().items():
            entries[f"param.{key}"] = value.detach().float()
        for key, p in module.named_parameters():
            if p.grad is not None:
                entries[f"gparam.{key}"] = p.grad.detach().float()
    for key, value in (attrs or {}).items():
        entries[f"attr.{key}"] = torch.tensor([float(value)])
    save_safetensors(os.path.join(ROOT, group, f"{name}.safetensors"), entries)


def seeded(seed):
    """A torch.Generator for reproducible inputs."""
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def randn(*shape, seed=0, requires_grad=True, scale=1.0):
    t = torch.randn(*shape, generator=seeded(seed)) * scale
    return t.requires_grad_(requires_grad)
