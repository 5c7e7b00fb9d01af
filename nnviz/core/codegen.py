"""Export what was learned: the network as a numpy or PyTorch script, the data as CSV.

:func:`numpy_script` and :func:`torch_script` return the text of a short
script that rebuilds the network with its exact weights (floats written with
``repr``, so they read back bit for bit) and, run, prints the output for the
file's sample as a JSON list on its last line. The numpy script's activations
are the engine's own formulas; the PyTorch one is an ``nn.Sequential`` in
float64. When the file has a training section, both scripts also carry an
``inputs(points)`` function that applies the input features to points of the
plane. :func:`export_code` and :func:`export_csv` write them to files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from . import datasets, features
from .io import Project

#: activation -> (numpy source of a function of z, PyTorch module expression)
_NUMPY = {
    "linear": "def linear(z):\n    return z\n",
    "step": "def step(z):\n    return (z > 0).astype(float)\n",
    "sigmoid": (
        "def sigmoid(z):\n"
        "    e = np.exp(-np.abs(z))  # never overflows\n"
        "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n"
    ),
    "tanh": "def tanh(z):\n    return np.tanh(z)\n",
    "relu": "def relu(z):\n    return np.maximum(z, 0.0)\n",
    "leaky_relu": "def leaky_relu(z):\n    return np.where(z > 0, z, 0.01 * z)\n",
    "elu": "def elu(z):\n    return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))\n",
    "softplus": "def softplus(z):\n    return np.logaddexp(0.0, z)\n",
    "gelu": (
        "def gelu(z):\n"
        "    erf = np.frompyfunc(math.erf, 1, 1)\n"
        "    return 0.5 * z * (1.0 + np.asarray(erf(z / math.sqrt(2.0)), dtype=float))\n"
    ),
    "silu": (
        "def silu(z):\n"
        "    e = np.exp(-np.abs(z))\n"
        "    return z * np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n"
    ),
    "softmax": (
        "def softmax(z):\n"
        "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
        "    return e / np.sum(e, axis=-1, keepdims=True)\n"
    ),
}

_TORCH = {
    "linear": "nn.Identity()",
    "step": "Step()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "elu": "nn.ELU(1.0)",
    "softplus": "nn.Softplus()",
    "gelu": "nn.GELU()",
    "silu": "nn.SiLU()",
    "softmax": "nn.Softmax(dim=-1)",
}


def _matrix(a: np.ndarray, indent: str) -> str:
    rows = [json.dumps(row) for row in np.asarray(a, dtype=float).tolist()]
    return "[\n" + "".join(f"{indent}    {r},\n" for r in rows) + f"{indent}]"


def _header(project: Project, what: str) -> str:
    title = project.name or "network"
    sizes = "-".join(str(s) for s in project.network.sizes)
    return (
        f'"""{title} ({sizes}, loss {project.network.loss}), rebuilt {what} by nnviz export.\n\n'
        "Run it: it prints the network's output for the file's sample as a JSON list\n"
        'on its last line. forward(x) takes a batch (rows of inputs) or one input.\n"""\n\n'
    )


def _inputs_function(project: Project) -> str:
    if project.training is None:
        return ""
    names = project.training.features
    cols = ", ".join(features.CODE[n] for n in names)
    return (
        "\n\ndef inputs(points):\n"
        f'    """The network\'s inputs ({", ".join(names)}) for points (x1, x2) of the plane."""\n'
        "    p = np.asarray(points, dtype=float).reshape(-1, 2)\n"
        f"    return np.column_stack([{cols}])\n"
    )


def numpy_script(project: Project) -> str:
    """A self-contained numpy script of ``project``'s network (see the module docstring)."""
    net = project.network
    used = sorted({layer.activation for layer in net.layers})
    needs_math = "gelu" in used
    parts = [_header(project, "in numpy")]
    parts.append("import json\n" + ("import math\n" if needs_math else "") + "\n")
    parts.append("import numpy as np\n\n\n")
    parts.append("\n\n".join(_NUMPY[a] for a in used))
    parts.append(
        "\n\n# (W with one row per neuron it feeds, b, activation), input to output\nLAYERS = [\n"
    )
    for layer in net.layers:
        parts.append(
            f"    (\n        np.array({_matrix(layer.W, '        ')}),\n"
            f"        np.array({json.dumps(layer.b.tolist())}),\n"
            f"        {layer.activation},\n    ),\n"
        )
    parts.append("]\n")
    parts.append(
        "\n\ndef forward(x):\n"
        '    """The network\'s output for inputs x: z = a W^T + b, a = f(z), layer by layer."""\n'
        "    a = np.asarray(x, dtype=float)\n"
        "    a = a.reshape(1, -1) if a.ndim == 1 else a\n"
        "    for W, b, f in LAYERS:\n"
        "        a = f(a @ W.T + b)\n"
        "    return a\n"
    )
    parts.append(_inputs_function(project))
    parts.append(
        f"\n\nSAMPLE = {json.dumps(project.sample.input.tolist())}\n\n"
        'if __name__ == "__main__":\n'
        "    print(json.dumps(forward(SAMPLE)[0].tolist()))\n"
    )
    return "".join(parts)


def torch_script(project: Project) -> str:
    """The same network as a PyTorch ``nn.Sequential`` in float64 (see the module docstring)."""
    net = project.network
    parts = [_header(project, "as a PyTorch nn.Sequential")]
    parts.append("import json\n\nimport numpy as np\nimport torch\nfrom torch import nn\n\n")
    parts.append("torch.set_default_dtype(torch.float64)\n")
    if any(layer.activation == "step" for layer in net.layers):
        parts.append(
            "\n\nclass Step(nn.Module):\n"
            '    """1 where z > 0, else 0."""\n\n'
            "    def forward(self, z):\n"
            "        return (z > 0).to(z.dtype)\n"
        )
    parts.append("\n\nmodel = nn.Sequential(\n")
    for layer in net.layers:
        parts.append(f"    nn.Linear({layer.fan_in}, {layer.size}),\n")
        parts.append(f"    {_TORCH[layer.activation]},\n")
    parts.append(
        ")\n\n# (weight with one row per neuron it feeds, bias), input to output\nWEIGHTS = [\n"
    )
    for layer in net.layers:
        parts.append(
            f"    (\n        {_matrix(layer.W, '        ')},\n"
            f"        {json.dumps(layer.b.tolist())},\n    ),\n"
        )
    parts.append(
        "]\n"
        "with torch.no_grad():\n"
        "    for linear, (W, b) in zip(model[::2], WEIGHTS):\n"
        "        linear.weight.copy_(torch.tensor(W))\n"
        "        linear.bias.copy_(torch.tensor(b))\n"
        "\n\ndef forward(x):\n"
        '    """The network\'s output (a numpy array) for a batch of inputs or one input."""\n'
        "    x = torch.as_tensor(np.asarray(x, dtype=float))\n"
        "    with torch.no_grad():\n"
        "        return model(x.reshape(1, -1) if x.ndim == 1 else x).numpy()\n"
    )
    parts.append(_inputs_function(project))
    parts.append(
        f"\n\nSAMPLE = {json.dumps(project.sample.input.tolist())}\n\n"
        'if __name__ == "__main__":\n'
        "    print(json.dumps(forward(SAMPLE)[0].tolist()))\n"
    )
    return "".join(parts)


def _write(text: str, out: str | os.PathLike[str]) -> None:
    p = Path(out)
    tmp = p.with_name(f".{p.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, p)


def export_code(project: Project, out: str | os.PathLike[str], torch: bool = False) -> None:
    """Write the numpy script (or with ``torch`` the PyTorch one) of ``project`` to ``out``."""
    _write(torch_script(project) if torch else numpy_script(project), out)


def dataset_csv(project: Project) -> str:
    """The training section's dataset as CSV (x1, x2, label as the loss writes labels).

    Points are in the dataset's own order, so the CSV read back as ``"points"``
    with the same settings gives the same split and batches. DatasetError if
    the data cannot be made (the file has no training section, a bad label).
    """
    if project.training is None:
        raise datasets.DatasetError("the file has no training section, so no dataset to write")
    from .training import make_dataset

    net = project.network
    data = make_dataset(project.training, net.loss, net.layers[-1].size)
    return datasets.csv_text(data.points, datasets.labels_for(data, project.network.loss))


def export_csv(project: Project, out: str | os.PathLike[str]) -> None:
    """Write :func:`dataset_csv` to ``out``."""
    _write(dataset_csv(project), out)
