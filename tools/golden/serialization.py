"""Golden files for the safetensors and .npy readers (tests/golden/serialization).

Writes files the way PyTorch and NumPy users produce them, in every dtype the readers accept, plus
the float32 values each should decode to (computed by torch/numpy, so the C# conversions are checked
against theirs):

  dtypes.safetensors         one tensor per dtype: f32, f16, bf16, f64, i64 (golden_io.save_safetensors)
  dtypes_expected.safetensors  the same tensors converted to float32 by torch
  linear_state.safetensors   the state dict of torch.nn.Sequential(Linear(4, 3), Identity(), Linear(3, 2))
  linear_io.safetensors      in.0 (2, 4) and out (2, 2) of that model
  npy/<name>.npy             numpy.save of float32, float64, int64, int32, uint8 arrays, a scalar, an empty
                             array and a format-2.0 file; and three files the reader must refuse:
                             Fortran order, big-endian and bool
  npy_expected.safetensors   each accepted array converted to float32 by numpy, keyed by file name

Run with Debian's interpreter: cd tools/golden && /usr/bin/python3 serialization.py
"""
import os
import warnings

import numpy as np
import torch

from golden_io import ROOT, save_safetensors

OUT = os.path.join(ROOT, "serialization")
NPY = os.path.join(OUT, "npy")
os.makedirs(NPY, exist_ok=True)

# Values chosen to exercise each decoder: signed zero, subnormals, extremes, infinities, NaN, rounding.
FLOATS = [0.0, -0.0, 1.0, -2.5, 1.0 / 3.0, 3.141592653589793, 1e-3, 6e-8, 1e-40, 65504.0, 3.0e38, 1e300,
          float("inf"), float("-inf"), float("nan"), -7.25e-5, 123456.789, -1.5e-10]
INTS = [0, -1, 7, 2**31, -(2**40) - 1, 2**53 + 1, 123456789012, -9223372036854775808, 9223372036854775807]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # overflow to inf when narrowing is intended
    f64 = torch.tensor(FLOATS, dtype=torch.float64)
    tensors = {
        "f32": f64.float().reshape(3, 6),
        "f16": f64.half().reshape(2, 9),
        "bf16": f64.bfloat16(),
        "f64": f64.reshape(2, 3, 3),
        "i64": torch.tensor(INTS, dtype=torch.int64),
        "scalar_f32": torch.tensor(2.5),
        "empty_f32": torch.zeros(0, 3),
    }
    save_safetensors(os.path.join(OUT, "dtypes.safetensors"), tensors)
    save_safetensors(os.path.join(OUT, "dtypes_expected.safetensors"), {k: v.float() for k, v in tensors.items()})

# A PyTorch state dict with dotted names ("0.weight", "2.bias"), loaded into the same model built in Fovea.
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Identity(), torch.nn.Linear(3, 2))
save_safetensors(os.path.join(OUT, "linear_state.safetensors"), model.state_dict())
x = torch.randn(2, 4, generator=torch.Generator().manual_seed(1))
with torch.no_grad():
    save_safetensors(os.path.join(OUT, "linear_io.safetensors"), {"in.0": x, "out": model(x)})

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    values = np.array(FLOATS, dtype=np.float64)
    arrays = {
        "float32": values.astype(np.float32).reshape(2, 3, 3),
        "float64": values.copy(),
        "int64": np.array(INTS, dtype=np.int64).reshape(3, 3),
        "int32": np.array([0, -1, 2**31 - 1, -(2**31), 16777217, 5], dtype=np.int32),
        "uint8": np.array([0, 1, 9, 127, 128, 200, 254, 255], dtype=np.uint8).reshape(2, 2, 2),
        "scalar": np.array(-4.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    for name, array in arrays.items():
        np.save(os.path.join(NPY, f"{name}.npy"), array)
    with open(os.path.join(NPY, "version2.npy"), "wb") as f:
        np.lib.format.write_array(f, arrays["float32"], version=(2, 0))
    expected = {name: torch.from_numpy(a.astype(np.float32)) for name, a in arrays.items()}
    expected["version2"] = expected["float32"]
    save_safetensors(os.path.join(OUT, "npy_expected.safetensors"), expected)

np.save(os.path.join(NPY, "fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save(os.path.join(NPY, "bigendian.npy"), np.arange(4, dtype=">f4"))
np.save(os.path.join(NPY, "bool.npy"), np.array([True, False]))
