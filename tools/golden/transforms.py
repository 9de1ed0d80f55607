"""Golden files for the image transforms (tests/golden/transforms): bilinear resizing as
torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False), upscaling and
downscaling, square and not. Run with /usr/bin/python3 (Debian's python3-torch)."""
import torch
import torch.nn.functional as F

from golden_io import record_case, seeded

CASES = {
    "resize_up_3x5_to_7x8": ((2, 3, 5), (7, 8)),
    "resize_down_9x7_to_4x3": ((3, 9, 7), (4, 3)),
    "resize_mixed_6x4_to_3x10": ((1, 6, 4), (3, 10)),
}

for name, (shape, size) in CASES.items():
    image = torch.rand(*shape, generator=seeded(len(name)))
    record_case("transforms", name,
                lambda x, size=size: F.interpolate(x.unsqueeze(0), size=size, mode="bilinear", align_corners=False)[0],
                [image], attrs={"height": size[0], "width": size[1]}, differentiable=False)
