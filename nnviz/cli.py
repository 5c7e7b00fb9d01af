"""Command line: open the app, or a headless verb (trace, export, bench).

Nothing here imports Qt until a verb needs it, so ``nnviz trace`` starts fast
and works on a machine with no display libraries at all.

    nnviz [FILE] [--screenshot OUT.png [--size WxH] [--step N]]
    nnviz trace FILE [--json] [--decimals D]
    nnviz export FILE --out OUT.gif
    nnviz bench [--json]
    nnviz lesson check LESSON [--answers ANSWERS.json] | nnviz lesson list
"""

from __future__ import annotations

import argparse
import json
import sys

from nnviz import __version__

VERBS = ("trace", "export", "bench", "lesson")

EXIT_BAD_INPUT = 2


def error(msg: str) -> int:
    """One sentence on stderr for bad input; the exit status for it."""
    print(f"nnviz: {msg}", file=sys.stderr)
    return EXIT_BAD_INPUT


_error = error


def size_type(limit: int = 8000, example: str = "1280x800"):
    """An argparse type for WIDTHxHEIGHT, each from 200 to ``limit``."""

    def parse(text: str) -> tuple[int, int]:
        try:
            w, h = (int(v) for v in text.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a size like {example}") from None
        if not (200 <= w <= limit and 200 <= h <= limit):
            raise argparse.ArgumentTypeError(f"{text!r}: width and height must be 200 to {limit}")
        return w, h

    return parse


_size = size_type()


def _app_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnviz",
        description="See how a neural network computes. Verbs: "
        "trace FILE, export FILE --out OUT.gif, bench.",
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
        default=(1440, 900),
        metavar="WxH",
        help="window size for --screenshot (default 1440x900)",
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
    args = p.parse_args(argv)

    from nnviz.core import explain, io, propagation

    try:
        project = io.load(args.file)
    except io.FileFormatError as e:
        return _error(str(e))
    net, sample = project.network, project.sample
    trace, grads = propagation.evaluate(net, sample.input, sample.target)
    if args.json:
        layers = []
        for l in range(1, net.depth + 1):  # noqa: E741
            layers.append(
                {
                    "activation": net.layers[l - 1].activation,
                    "z": trace.z[l][0].tolist(),
                    "a": trace.a[l][0].tolist(),
                    "dL_da": grads.dL_da[l][0].tolist(),
                    "dL_dz": grads.dL_dz[l][0].tolist(),
                    "dL_dW": grads.dL_dW[l].tolist(),
                    "dL_db": grads.dL_db[l].tolist(),
                }
            )
        print(json.dumps({"loss": grads.loss, "dL_dx": grads.dL_dx[0].tolist(), "layers": layers}))
    else:
        print(explain.report(net, sample.input, sample.target, trace, grads, args.decimals))
    return 0


def _cmd_export(argv: list[str]) -> int:
    from nnviz.export import main as export_main

    return export_main(argv)


def _cmd_bench(argv: list[str]) -> int:
    from nnviz.bench import main as bench_main

    return bench_main(argv)


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
                "lesson": _cmd_lesson,
            }[verb](rest)
        args = _app_parser().parse_args(argv)
        from nnviz.ui.app import run

        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
