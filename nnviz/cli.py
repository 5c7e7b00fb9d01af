"""Command line: open the app, or a headless verb (trace, export, bench).

Nothing here imports Qt until a verb needs it, so ``nnviz trace`` starts fast
and works on a machine with no display libraries at all.

    nnviz [FILE] [--screenshot OUT.png [--size WxH] [--step N]]
    nnviz trace FILE [--json] [--decimals D]
    nnviz export FILE --out OUT.svg|OUT.png|OUT.gif [--step N] [--size WxH] [--theme T]
    nnviz bench [--json]
    nnviz train FILE [--epochs N] [--out TRAINED.json] [--json]
    nnviz lesson check LESSON [--answers ANSWERS.json] | nnviz lesson list
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from nnviz import __version__

# shared with the verbs, which must not import this module (no import cycle)
from nnviz.cliargs import EXIT_BAD_INPUT, error, size_type  # noqa: F401

VERBS = ("trace", "export", "bench", "train", "lesson")

_error = error


_size = size_type()


def _app_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnviz",
        description="See how a neural network computes. Verbs: "
        "trace FILE, export FILE --out OUT.svg|.png|.gif, bench.",
    )
    p.add_argument("file", nargs="?", help="a network file (.json); default: a built-in network")
    p.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the main window to a PNG without a display, then exit",
    )
    p.add_argument(
        "--size",
        type=_size,
        default=None,
        metavar="WxH",
        help="exactly this window size, at least 900x600 (default: the last size, or at "
        "most 90%% of the screen; for --screenshot 1440x900)",
    )
    p.add_argument(
        "--step",
        type=int,
        default=None,
        metavar="N",
        help="with --screenshot: the playback step to show (0 = start)",
    )
    p.add_argument(
        "--theme",
        choices=("system", "light", "dark"),
        default=None,
        help="colour theme (default: the saved choice, else the system's)",
    )
    p.add_argument("--lesson", metavar="NAME", help="open a lesson (a name or a .md file)")
    p.add_argument("--lesson-step", type=int, metavar="K", help="the lesson's step K (1 = first)")
    p.add_argument("--presenter", action="store_true", help="presenter mode (F5; Esc leaves)")
    p.add_argument("--version", action="version", version=f"nnviz {__version__}")
    return p


def _learning_rate(text: str) -> float:
    """``--lr``: a finite number above 0 and at most 100 (the document's own bounds)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (0 < v <= 100):  # also refuses NaN
        raise argparse.ArgumentTypeError(
            f"the learning rate must be above 0 and at most 100, not {text}"
        )
    return v


def _cmd_trace(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="nnviz trace", description="Run a network file's sample forward and backward."
    )
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="machine-readable, full precision")
    p.add_argument(
        "--decimals",
        type=int,
        default=4,
        choices=range(1, 13),
        metavar="D",
        help="decimals in the plain output (1-12, default 4)",
    )
    p.add_argument(
        "--lr",
        type=_learning_rate,
        default=None,
        metavar="ETA",
        help="also show the gradient-descent step w ← w − η·∂L/∂w with this learning rate",
    )
    args = p.parse_args(argv)

    import numpy as np

    from nnviz.core import explain, io, propagation, updates

    try:
        project = io.load(args.file)
    except io.FileFormatError as e:
        return _error(str(e))
    net, sample = project.network, project.sample
    # a valid network can still overflow float64 (values at ±1e6 through many layers):
    # the numbers become ±inf or NaN, shown as such, with no RuntimeWarning
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        trace, grads = propagation.evaluate(net, sample.input, sample.target)
    if args.json:
        layers = []
        for l in range(1, net.depth + 1):  # noqa: E741
            layers.append(
                {
                    "activation": net.layers[l - 1].activation,
                    "z": _json_numbers(trace.z[l][0]),
                    "a": _json_numbers(trace.a[l][0]),
                    "dL_da": _json_numbers(grads.dL_da[l][0]),
                    "dL_dz": _json_numbers(grads.dL_dz[l][0]),
                    "dL_dW": _json_numbers(grads.dL_dW[l]),
                    "dL_db": _json_numbers(grads.dL_db[l]),
                }
            )
        out = {
            "loss": grads.loss if math.isfinite(grads.loss) else None,
            "dL_dx": _json_numbers(grads.dL_dx[0]),
            "layers": layers,
        }
        if args.lr is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                out["update"] = {
                    "lr": args.lr,
                    "layers": [
                        {
                            "W": _json_numbers(updates.updated_weights(net, grads, args.lr, l)),
                            "b": _json_numbers(updates.updated_biases(net, grads, args.lr, l)),
                        }
                        for l in range(1, net.depth + 1)  # noqa: E741
                    ],
                }
        print(json.dumps(out, allow_nan=False))
    else:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            text = explain.report(
                net, sample.input, sample.target, trace, grads, args.decimals, lr=args.lr
            )
        print(text)
    return 0


def _json_numbers(a) -> list:
    """An array as JSON lists, with null for ±inf and NaN (which JSON cannot write)
    and 0.0 for a negative zero (a zero gradient is no direction)."""
    import numpy as np

    a = np.asarray(a, dtype=float) + 0.0  # -0.0 + 0.0 is 0.0: a zero is written 0.0
    if np.isfinite(a).all():
        return a.tolist()
    return np.where(np.isfinite(a), a, None).tolist()


def _cmd_export(argv: list[str]) -> int:
    from nnviz.export import main as export_main

    return export_main(argv)


def _cmd_bench(argv: list[str]) -> int:
    from nnviz.bench import main as bench_main

    return bench_main(argv)


def _cmd_train(argv: list[str]) -> int:
    from nnviz.train_cli import main as train_main

    return train_main(argv)


def _cmd_lesson(argv: list[str]) -> int:
    from nnviz.lesson_cli import main as lesson_main

    return lesson_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in VERBS:
            verb, rest = argv[0], argv[1:]
            return {
                "trace": _cmd_trace,
                "export": _cmd_export,
                "bench": _cmd_bench,
                "train": _cmd_train,
                "lesson": _cmd_lesson,
            }[verb](rest)
        args = _app_parser().parse_args(argv)
        from nnviz.ui.app import run

        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
