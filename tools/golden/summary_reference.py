"""Reference numbers for Module.Summary, from PyTorch and torchvision (run with Debian's python3-torch).

Writes tests/golden/summary/torchinfo_reference.json with, per model and input:
  params          sum of parameter elements (torchinfo's "Total params"),
  macs            torchinfo's "Total mult-adds", computed with torchinfo's rule (torchinfo itself is not
                  packaged for Debian; the rule is LayerInfo.calculate_macs): for every call of a layer without
                  children, each "weight"/"bias" element once per sample, and for layers whose class name
                  contains "Conv" once per sample and output position,
and, for resnet18 at 224, the receptive field of its last convolution (layer4.1.conv2) measured as the extent
of the input gradient of the centre output position, with every weight positive, batch norm an identity,
max pooling replaced by average pooling of the same geometry (so that no gradient is dropped) and float64.
"""
import json
import math
import os

import torch
import torchvision
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "summary", "torchinfo_reference.json")


def lenet5(num_classes=10):
    # Fovea.Vision.Models.LeNet.LeNet5: same padding on the first convolution.
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding="same"), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))


def torchinfo_macs(model, shape):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        out = list(output.shape)
        for name, param in module.named_parameters():
            if name in ("weight", "bias"):
                if "Conv" in type(module).__name__:
                    total += param.numel() * math.prod(out[:1] + out[2:])
                else:
                    total += out[0] * param.numel()

    handles = [m.register_forward_hook(hook) for m in model.modules() if not any(m.children())]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(shape))
    for h in handles:
        h.remove()
    return total


def receptive_field_of(model, module, shape):
    """Extent (rows, columns) of the input gradient of the centre output position of `module`."""
    model = model.double().eval()
    for name, child in list(model.named_modules()):
        for attr, sub in list(child.named_children()):
            if isinstance(sub, nn.MaxPool2d):
                setattr(child, attr, nn.AvgPool2d(sub.kernel_size, sub.stride, sub.padding, sub.ceil_mode))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.fill_(1.0 / m.weight[0].numel())
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.fill_(1.0); m.bias.zero_(); m.running_mean.zero_(); m.running_var.fill_(1.0); m.eps = 0.0
    captured = {}
    handle = module.register_forward_hook(lambda m, i, o: captured.__setitem__("out", o))
    x = (torch.rand(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 0.5).requires_grad_()
    model(x)
    handle.remove()
    out = captured["out"]
    h, w = out.shape[2] // 2, out.shape[3] // 2
    out[0, 0, h, w].backward()
    nonzero = (x.grad[0].abs().sum(0) != 0).nonzero()
    rows, cols = nonzero[:, 0], nonzero[:, 1]
    assert rows.min() > 0 and cols.min() > 0 and rows.max() < shape[2] - 1 and cols.max() < shape[3] - 1, "field cut by the border"
    return [int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)]


def entry(model, shape):
    return {"input": list(shape), "params": sum(p.numel() for p in model.parameters()), "macs": torchinfo_macs(model, shape)}


def main():
    torch.manual_seed(0)
    tv = torchvision.models
    references = {
        "lenet5@1x28x28": entry(lenet5(), (1, 1, 28, 28)),
        "resnet18@3x224x224": entry(tv.resnet18(), (1, 3, 224, 224)),
    }
    small = {
        "resnet18": tv.resnet18, "resnet34": tv.resnet34, "resnet50": tv.resnet50,
        "vgg11": tv.vgg11, "vgg11_bn": tv.vgg11_bn, "vgg16": tv.vgg16, "alexnet": tv.alexnet,
        "googlenet": lambda: tv.googlenet(aux_logits=False, init_weights=False),
    }
    for name, make in small.items():
        references[f"{name}@3x64x64"] = entry(make(), (1, 3, 64, 64))
    resnet = tv.resnet18()
    references["resnet18@3x224x224"]["lastConvolution"] = "layer4.1.conv2"
    references["resnet18@3x224x224"]["lastConvolutionReceptiveField"] = receptive_field_of(resnet, resnet.layer4[1].conv2, (1, 3, 640, 640))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(references, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(references, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
