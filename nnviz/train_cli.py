"""``nnviz train FILE [--epochs N] [--out TRAINED.json] [--json]``: train headless.

Trains the file's network with its ``training`` section (see README, "Training")
and prints one line per epoch (at most 20, always the last), or with
``--json`` one object::

    {"epochs": [{"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"}, ...],
     "network": {...the trained file...}, "diverged": null or "one sentence"}

Accuracies are null for regression and ``test_*`` null with no test points.
``--out`` writes the trained file (the same file with the trained weights).
A bad file or training section is one sentence and exit status 2; a run that
diverges says so, keeps the last finite weights and exits with status 1.
Imported only by the command line, after it has parsed the verb; no Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nnviz.cliargs import error

MAX_EPOCHS = 1_000_000
#: the text output prints at most this many epoch lines (always the last epoch)
MAX_LINES = 20


def _epochs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of epochs") from None
    if not 1 <= n <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"{n} epochs: expected 1 to {MAX_EPOCHS}")
    return n


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:5.1f}%"


def _loss(v: float | None) -> str:
    return "—" if v is None else f"{v:.6g}"


def _print_epoch(stats) -> None:
    print(
        f"epoch {stats.epoch:>6}   train loss {_loss(stats.train_loss):>11}"
        f"   test loss {_loss(stats.test_loss):>11}"
        f"   train acc {_pct(stats.train_accuracy):>6}"
        f"   test acc {_pct(stats.test_accuracy):>6}",
        flush=False,
    )


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="nnviz train",
        description="Train a network file with the settings of its training section.",
    )
    p.add_argument("file", help="a network file (.json) with a training section")
    p.add_argument(
        "--epochs", type=_epochs, default=100, metavar="N", help="epochs to train (default 100)"
    )
    p.add_argument("--out", metavar="TRAINED.json", help="write the trained network file here")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)

    from nnviz.core import io
    from nnviz.core.threads import training_threads
    from nnviz.core.training import Trainer, TrainingError

    try:
        project = io.load(args.file)
    except io.FileFormatError as e:
        return error(str(e))
    name = Path(args.file).name
    if project.training is None:
        return error(f"{name}: the file has no training section (see the README, Training)")
    out = Path(args.out) if args.out else None
    if out is not None:
        if out.suffix.lower() != ".json":
            return error(f"{out}: the trained network must be written to a .json file")
        if not out.parent.is_dir():
            return error(f"{out}: the folder {out.parent} does not exist")
    try:
        trainer = Trainer(
            project.network, project.training, init_seed=project.seed, init=project.init
        )
    except TrainingError as e:
        return error(f"{name}: training: {e}")

    # every step-th epoch and the last: at most MAX_LINES lines (50 epochs: 17, not 25)
    step = -(-args.epochs // MAX_LINES)
    with training_threads():
        history = []
        printed = 0
        for _ in range(args.epochs):
            stats = trainer.run_epoch()
            if stats is None:
                break
            history.append(stats)
            if not args.json and (stats.epoch % step == 0 or stats.epoch == args.epochs):
                _print_epoch(stats)
                printed = stats.epoch
        if not args.json and history and printed != history[-1].epoch:
            _print_epoch(history[-1])  # a diverged run: the last epoch it finished
    diverged = None
    if (divergence := trainer.divergence) is not None:
        # the window offers to go back; here it is done already: say so, not advise it
        trainer.restore_last_finite()
        kept = f"written to {out}" if out is not None else "kept"
        diverged = f"{divergence.cause}; the last finite weights were {kept}; "
        diverged += "lower the learning rate"
    trained = project.copy()
    trained.network = trainer.network.copy()
    if out is not None:
        try:
            io.save(trained, out)
        except OSError as e:
            return error(f"{out}: cannot be written ({e.strerror})")
    if args.json:
        print(
            json.dumps(
                {
                    "epochs": [s.to_dict() for s in history],
                    "network": io.to_dict(trained),
                    "diverged": diverged,
                },
                allow_nan=False,
            )
        )
    if diverged:
        print(f"nnviz: {diverged}", file=sys.stderr)
        return 1
    return 0


def _wants_code(argv: list[str]) -> bool:
    """Whether ``argv`` asks for a script or CSV (``--out`` ends .py/.csv, or ``--torch``)."""
    if "-h" in argv or "--help" in argv:
        return False
    outs = [v.split("=", 1)[1] for v in argv if v.startswith("--out=")]
    outs += [argv[i + 1] for i, v in enumerate(argv[:-1]) if v == "--out"]
    code = any(Path(o).suffix.lower() in (".py", ".csv") for o in outs)
    return code or "--torch" in argv


def export_code_main(argv: list[str]) -> int | None:
    """``nnviz export FILE --out model.py [--torch]`` or ``--out data.csv``; None otherwise.

    Called first by ``nnviz export``: a ``--out`` ending in ``.py`` writes the
    network as a self-contained numpy script (``--torch``: a PyTorch
    ``nn.Sequential``), one ending in ``.csv`` the training section's dataset.
    Anything else (a GIF) returns None and is left to the rest of ``export``.
    """
    if not _wants_code(argv):
        return None  # a GIF, --help, or a missing --out: the GIF exporter answers
    p = argparse.ArgumentParser(
        prog="nnviz export",
        description="Write a network file as a numpy or PyTorch script (.py) or its dataset "
        "(.csv).",
    )
    p.add_argument("file", help="a network file (.json)")
    p.add_argument("--out", required=True, metavar="OUT.py|OUT.csv")
    p.add_argument("--torch", action="store_true", help="a PyTorch script instead of numpy")
    args, unknown = p.parse_known_args(argv)
    suffix = Path(args.out).suffix.lower()
    if suffix not in (".py", ".csv"):
        if args.torch:
            return error(f"{args.out}: --torch writes a Python script; name it OUT.py")
        return None
    if unknown:
        return error(f"{unknown[0]}: not an option of export to {suffix}")
    if args.torch and suffix != ".py":
        return error(f"{args.out}: --torch writes a Python script; name it OUT.py")

    from nnviz.core import codegen, datasets, io

    try:
        project = io.load(args.file)
    except io.FileFormatError as e:
        return error(str(e))
    out = Path(args.out)
    if not out.parent.is_dir():
        return error(f"{out}: the folder {out.parent} does not exist")
    try:
        if suffix == ".py":
            codegen.export_code(project, out, torch=args.torch)
        else:
            codegen.export_csv(project, out)
    except datasets.DatasetError as e:
        return error(f"{Path(args.file).name}: {e}")
    except OSError as e:
        return error(f"{out}: cannot be written ({e.strerror})")
    return 0
