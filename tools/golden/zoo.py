"""Golden files for the model zoo (src/Fovea.Vision/Models): torchvision's models with seeded random weights
and random batch-norm statistics, their state dicts as safetensors and their outputs.

Writes tests/golden/zoo/ (committed, small, run in CI):
  state_dict_shapes.json     for every full-size zoo model (1000 classes; resnet_mnist 10): parameter count and
                             the ordered state-dict entries [name, shape] of torchvision's model
  <case>.safetensors         the state dict (num_batches_tracked stays int64, as PyTorch saves it)
  <case>_io.safetensors      input, output (eval mode), output_float64 (the same model in float64, to tell
                             summation-order noise from errors); googlenet_w8 (built with the auxiliary classifiers) also
                             the output with transform_input, its training-mode outputs and BN buffers after them
The committed cases are narrow versions of the torchvision models (fewer channels, same layers and code paths),
built from torchvision's own classes: its ResNet._make_layer with BasicBlock/Bottleneck, its Inception,
BasicConv2d and InceptionAux forward, its VGG and make_layers, its AlexNet forward. Each narrow builder is checked
here against torchvision's real model at full width (same state-dict names and shapes, same output).

With --full DIR, writes instead the full-size models (resnet18, resnet50, googlenet, vgg11_bn, alexnet with
10 classes; hundreds of MB) to DIR, for the optional test that runs when FOVEA_FULL_GOLDEN_DIR points there.

Run: cd tools/golden && /usr/bin/python3 zoo.py [--full DIR]
"""
import argparse
import copy
import json
import os
import warnings
from collections import OrderedDict

import torch
import torch.nn as nn
import torchvision.models as tvm
from torchvision.models.alexnet import AlexNet
from torchvision.models.googlenet import BasicConv2d, GoogLeNet, Inception, InceptionAux
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.vgg import VGG, cfgs, make_layers

from golden_io import ROOT, save_safetensors

warnings.filterwarnings("ignore", category=FutureWarning)   # googlenet's init_weights notice
OUT = os.path.join(ROOT, "zoo")


# ---- narrow builders from torchvision's classes ----

class NarrowResNet(ResNet):
    """torchvision's ResNet (its _make_layer, BasicBlock, Bottleneck) with stage i of base_width·2^i planes
    instead of 64·2^i, any number of stages, and optionally the small stem (conv 3x3 stride 1, no max pool)."""

    def __init__(self, block, layers, num_classes, base_width=64, in_channels=3, small_stem=False):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = base_width, 1, 1, 64
        if small_stem:
            self.conv1 = nn.Conv2d(in_channels, base_width, kernel_size=3, stride=1, padding=1, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, base_width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(base_width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = None if small_stem else nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.stage_count = len(layers)
        for i, blocks in enumerate(layers):
            setattr(self, f"layer{i + 1}", self._make_layer(block, base_width << i, blocks, stride=1 if i == 0 else 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear((base_width << (len(layers) - 1)) * block.expansion, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        for i in range(self.stage_count):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class NarrowInceptionAux(InceptionAux):
    """torchvision's InceptionAux (its forward) with conv_channels and hidden instead of 128 and 1024."""

    def __init__(self, in_channels, num_classes, dropout, conv_channels, hidden):
        nn.Module.__init__(self)
        self.conv = BasicConv2d(in_channels, conv_channels, kernel_size=1)
        self.fc1 = nn.Linear(conv_channels * 16, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)
        self.dropout = nn.Dropout(p=dropout)


class NarrowGoogLeNet(GoogLeNet):
    """torchvision's GoogLeNet (its forward, Inception, BasicConv2d) with every channel count divided by div."""

    def __init__(self, div, num_classes, aux_logits=False, transform_input=False, dropout=0.2, dropout_aux=0.7):
        nn.Module.__init__(self)
        w = lambda c: c // div
        self.aux_logits, self.transform_input = aux_logits, transform_input
        self.conv1 = BasicConv2d(3, w(64), kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(w(64), w(64), kernel_size=1)
        self.conv3 = BasicConv2d(w(64), w(192), kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        table = [(192, 64, 96, 128, 16, 32, 32), (256, 128, 128, 192, 32, 96, 64), (480, 192, 96, 208, 16, 48, 64),
                 (512, 160, 112, 224, 24, 64, 64), (512, 128, 128, 256, 24, 64, 64), (512, 112, 144, 288, 32, 64, 64),
                 (528, 256, 160, 320, 32, 128, 128), (832, 256, 160, 320, 32, 128, 128), (832, 384, 192, 384, 48, 128, 128)]
        inc = [Inception(*[w(c) for c in row]) for row in table]
        self.inception3a, self.inception3b = inc[0], inc[1]
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a, self.inception4b, self.inception4c, self.inception4d, self.inception4e = inc[2:7]
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a, self.inception5b = inc[7], inc[8]
        if aux_logits:
            self.aux1 = NarrowInceptionAux(w(512), num_classes, dropout_aux, w(128), w(1024))
            self.aux2 = NarrowInceptionAux(w(528), num_classes, dropout_aux, w(128), w(1024))
        else:
            self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(w(1024), num_classes)


class NarrowAlexNet(AlexNet):
    """torchvision's AlexNet (its forward) with channel counts and hidden width divided by div."""

    def __init__(self, div, num_classes, dropout=0.5):
        nn.Module.__init__(self)
        c = [x // div for x in (64, 192, 384, 256, 256)]
        hidden = 4096 // div
        self.features = nn.Sequential(
            nn.Conv2d(3, c[0], kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c[0], c[1], kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c[1], c[2], kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c[2], c[3], kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c[3], c[4], kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(c[4] * 36, hidden), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))


def narrow_vgg(cfg, batch_norm, num_classes, hidden=4096):
    """torchvision's VGG and make_layers on any configuration; the classifier has the same layers, with the
    last conv's channels·7·7 inputs and `hidden` hidden features (torchvision fixes 512·7·7 and 4096)."""
    model = VGG(make_layers(cfg, batch_norm=batch_norm), num_classes=num_classes, init_weights=False)
    channels = [v for v in cfg if v != "M"][-1]
    model.classifier = nn.Sequential(
        nn.Linear(channels * 49, hidden), nn.ReLU(True), nn.Dropout(p=0.5),
        nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(p=0.5), nn.Linear(hidden, num_classes))
    return model


def divide_cfg(cfg, div):
    return [v if v == "M" else v // div for v in cfg]


def resnet_mnist(num_classes=10):
    return NarrowResNet(BasicBlock, [2, 2, 2], num_classes, base_width=16, in_channels=1, small_stem=True)


# ---- weights and statistics ----

def randomize(model, input_shape, seed):
    """Seeded random weights (kaiming-normal on fan_in, so activations stay O(1) whatever the width), biases
    U(-0.1, 0.1), BN γ U(0.5, 1.5) and β U(-0.2, 0.2); then running statistics measured on random batches
    (cumulative averages) and perturbed (mean ± 0.2 σ, variance × e^(±0.3)), num_batches_tracked random;
    then the classifier heads scaled to logits of standard deviation ~2. Returns the model in eval mode."""
    torch.manual_seed(seed)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1)
        for m in norms:
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.reset_running_stats()
            m.momentum = None
        model.train()
        for _ in range(3):
            model(torch.randn(4, *input_shape[1:]))
        for m in norms:
            m.momentum = 0.1
            std = m.running_var.sqrt()
            m.running_mean.add_(0.2 * std * torch.randn_like(std))
            m.running_var.mul_(torch.exp(0.3 * torch.randn_like(std)))
            m.num_batches_tracked.fill_(int(torch.randint(1, 10000, ())))
        # Residual sums and random statistics can make logits of ~50, where float32 summation order alone moves
        # them by ~1e-4 (PyTorch's own float32 output differs that much from float64). Scale the classifier heads
        # (the Linear layers that output the classes) so that the logits have a standard deviation of about 2.
        model.eval()
        logits = model(torch.randn(4, *input_shape[1:]))
        heads = [m for m in model.modules() if isinstance(m, nn.Linear) and m.out_features == logits.shape[1]]
        scale = 2.0 / logits.std().item()
        for m in heads:
            m.weight.mul_(scale)
            m.bias.mul_(scale)
    return model


def save_case(directory, name, model, input_shape, seed, extra=None):
    """Saves <name>.safetensors (state dict) and <name>_io.safetensors (input, eval-mode output, and whatever
    extra(model, x, io) adds)."""
    randomize(model, input_shape, seed)
    state = OrderedDict(model.state_dict())
    assert all(v.dtype == torch.int64 for k, v in state.items() if k.endswith("num_batches_tracked"))
    save_safetensors(os.path.join(directory, f"{name}.safetensors"), state)
    torch.manual_seed(seed + 1)
    x = torch.randn(*input_shape)
    io = OrderedDict(input=x)
    with torch.no_grad():
        io["output"] = model(x)
        # How far PyTorch's own float32 output is from float64 arithmetic: the scale of summation-order noise.
        exact = copy.deepcopy(model).double()(x.double())
        noise = (io["output"].double() - exact).abs().max().item()
        io["output_float64"] = exact
        if extra is not None:
            extra(model, x, io)
    save_safetensors(os.path.join(directory, f"{name}_io.safetensors"), io)
    size = sum(os.path.getsize(os.path.join(directory, f"{name}{s}.safetensors")) for s in ("", "_io"))
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: {params:,} parameters, input {tuple(input_shape)}, output std {io['output'].std():.3f}, "
          f"max |output| {io['output'].abs().max():.3f}, PyTorch float32 vs float64 {noise:.2e}, {size / 1e6:.2f} MB")


def googlenet_extras(model, x, io):
    """transform_input = True in eval mode ("output_transformed"); then torchvision's training-mode forward
    (GoogLeNetOutputs(logits, aux_logits2, aux_logits1): BN on batch statistics, running statistics updated with
    momentum 0.1, dropout 0 so that it is deterministic) and the BN buffers after it ("after.<name>")."""
    model.transform_input = True
    io["output_transformed"] = model(x)
    model.transform_input = False
    model.train()
    # The auxiliary outputs are recorded from the aux1 and aux2 modules themselves: torchvision 0.14 returns them
    # under swapped names (GoogLeNetOutputs.aux_logits2 holds aux1's output; pytorch/vision#8736, fixed later).
    aux = {}
    hooks = [getattr(model, n).register_forward_hook(lambda _m, _i, o, n=n: aux.__setitem__(n, o)) for n in ("aux1", "aux2")]
    out = model(x)
    for hook in hooks:
        hook.remove()
    assert torch.equal(out[1], aux["aux1"]) and torch.equal(out[2], aux["aux2"])   # positions: (logits, aux1, aux2)
    io["train.output"], io["train.aux1"], io["train.aux2"] = out.logits, aux["aux1"], aux["aux2"]
    for key, value in model.state_dict().items():
        if "running_" in key or key.endswith("num_batches_tracked"):
            io[f"after.{key}"] = value.float()
    model.eval()


# ---- the narrow builders equal torchvision at full width ----

def same_model(name, ours, theirs, input_shape):
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b) and all(a[k].shape == b[k].shape for k in a), name
    theirs.load_state_dict(a)
    ours.eval(), theirs.eval()
    x = torch.randn(*input_shape)
    with torch.no_grad():
        assert torch.equal(ours(x), theirs(x)), name


def check_builders():
    torch.manual_seed(0)
    same_model("resnet18", NarrowResNet(BasicBlock, [2, 2, 2, 2], 10), tvm.resnet18(num_classes=10), (1, 3, 64, 64))
    same_model("resnet50", NarrowResNet(Bottleneck, [3, 4, 6, 3], 10), tvm.resnet50(num_classes=10), (1, 3, 64, 64))
    same_model("googlenet", NarrowGoogLeNet(1, 10), tvm.googlenet(num_classes=10, aux_logits=False, init_weights=False), (1, 3, 64, 64))
    same_model("googlenet_aux", NarrowGoogLeNet(1, 10, aux_logits=True),
               tvm.googlenet(num_classes=10, aux_logits=True, init_weights=False), (1, 3, 64, 64))
    same_model("vgg11_bn", narrow_vgg(cfgs["A"], True, 10), tvm.vgg11_bn(num_classes=10), (1, 3, 32, 32))
    same_model("alexnet", NarrowAlexNet(1, 10), tvm.alexnet(num_classes=10), (1, 3, 63, 63))
    print("narrow builders at full width equal torchvision's models")


# ---- state-dict names and shapes of every full-size zoo model ----

def full_models():
    yield "alexnet", lambda: tvm.alexnet()
    for depth, cfg in ((11, "A"), (13, "B"), (16, "D"), (19, "E")):
        yield f"vgg{depth}", lambda d=depth: getattr(tvm, f"vgg{d}")()
        yield f"vgg{depth}_bn", lambda d=depth: getattr(tvm, f"vgg{d}_bn")()
    for depth in (18, 34, 50, 101, 152):
        yield f"resnet{depth}", lambda d=depth: getattr(tvm, f"resnet{d}")()
    yield "googlenet", lambda: tvm.googlenet(aux_logits=False, init_weights=False)
    yield "googlenet_aux", lambda: tvm.googlenet(aux_logits=True, init_weights=False)
    yield "resnet_mnist", lambda: resnet_mnist(10)


def write_shapes():
    table = OrderedDict()
    for name, build in full_models():
        model = build()
        table[name] = {
            "parameters": sum(p.numel() for p in model.parameters()),
            "entries": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        }
        print(f"{name}: {table[name]['parameters']:,} parameters, {len(table[name]['entries'])} state-dict entries")
    with open(os.path.join(OUT, "state_dict_shapes.json"), "w") as f:
        json.dump(table, f, separators=(",", ":"))
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", metavar="DIR", help="write the full-size goldens to DIR instead")
    args = parser.parse_args()
    if args.full:
        os.makedirs(args.full, exist_ok=True)
        save_case(args.full, "resnet18", tvm.resnet18(num_classes=10), (2, 3, 64, 64), seed=1)
        save_case(args.full, "resnet50", tvm.resnet50(num_classes=10), (1, 3, 64, 64), seed=2)
        save_case(args.full, "googlenet", tvm.googlenet(num_classes=10, aux_logits=False, init_weights=False), (1, 3, 64, 64), seed=3)
        save_case(args.full, "googlenet_aux", tvm.googlenet(num_classes=10, aux_logits=True, init_weights=False, dropout=0.0, dropout_aux=0.0),
                  (2, 3, 64, 64), seed=6, extra=googlenet_extras)
        save_case(args.full, "vgg11_bn", tvm.vgg11_bn(num_classes=10), (1, 3, 32, 32), seed=4)
        save_case(args.full, "alexnet", tvm.alexnet(num_classes=10), (1, 3, 63, 63), seed=5)
        return
    os.makedirs(OUT, exist_ok=True)
    check_builders()
    write_shapes()
    save_case(OUT, "resnet18_w4", NarrowResNet(BasicBlock, [2, 2, 2, 2], 10, base_width=4), (2, 3, 48, 48), seed=11)
    save_case(OUT, "resnet50_w4", NarrowResNet(Bottleneck, [3, 4, 6, 3], 10, base_width=4), (1, 3, 48, 48), seed=12)
    save_case(OUT, "resnet_small_w8", NarrowResNet(BasicBlock, [2, 2, 2], 10, base_width=8, in_channels=1, small_stem=True),
              (2, 1, 28, 28), seed=13)
    save_case(OUT, "googlenet_w8", NarrowGoogLeNet(8, 10, aux_logits=True, dropout=0.0, dropout_aux=0.0), (2, 3, 48, 48),
              seed=14, extra=googlenet_extras)
    save_case(OUT, "vgg11_bn_w32", narrow_vgg(divide_cfg(cfgs["A"], 32), True, 5, hidden=16), (1, 3, 32, 32), seed=16)
    save_case(OUT, "vgg11_w32", narrow_vgg(divide_cfg(cfgs["A"], 32), False, 5, hidden=16), (1, 3, 40, 40), seed=17)
    save_case(OUT, "alexnet_w32", NarrowAlexNet(32, 7), (1, 3, 67, 67), seed=18)

if __name__ == "__main__":
    main()
