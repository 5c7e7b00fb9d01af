"""``nnviz export FILE --out OUT.svg|OUT.png|OUT.gif``: the network as a picture.

The format comes from the extension:

* ``.svg``: a vector picture of one playback step (``--step N``, default 0: the
  editing view with every number): edges are paths, one per colour bucket,
  neurons circles, every number real ``<text>``; no bitmap inside;
* ``.png``: the same step as pixels, exactly ``--size`` large;
* ``.gif``: the forward and backward pass, animated: the renderer seeks to
  each frame of a schedule over the whole timeline (no clock: the frames are
  positions) and Pillow writes the GIF with one shared palette.

All three draw through the headless renderer (:mod:`nnviz.ui.canvas.render`):
a canvas with no main window. ``--window`` (GIF only) records the whole window
instead. A progress bar goes to stderr; a bad file or option is one sentence
and exit status 2. Imported only by the command line, after it has parsed the verb.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from nnviz.cliargs import error, size_type
from nnviz.core.timeline import GRANULARITIES, PULSE_KINDS, TICKS_PER_SECOND, Plan

#: a GIF of more frames than this is cut down (a slide deck wants it small)
MAX_FRAMES = 150
#: how long the last frame stays before the GIF loops, in milliseconds
FINAL_HOLD_MS = 2500
#: browsers treat frame delays under 20 ms as 100 ms
MIN_FRAME_MS = 20


_error = error
_size = size_type(limit=4000, example="960x600")


def _fps(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of frames") from None
    if not 1 <= n <= 50:
        raise argparse.ArgumentTypeError(f"{n} frames per second: expected 1 to 50")
    return n


def frame_schedule(
    plan: Plan, fps: int = 12, max_frames: int = MAX_FRAMES, speed: float = 1.0
) -> list[tuple[int, float, int]]:
    """The frames of the GIF: ``(step, fraction, milliseconds shown)``, in order.

    A step whose pulses travel gets several frames (its fraction from a little
    above 0 to 1); any other step one frame, shown for its whole duration. With
    more frames than ``max_frames``, pulse steps get fewer frames; with more
    steps than that, steps are sampled evenly (always keeping the first and
    last). The last frame is held for :data:`FINAL_HOLD_MS`.
    """
    steps = plan.steps
    seconds = [s.duration / TICKS_PER_SECOND / speed for s in steps]
    counts = [
        max(1, round(sec * fps)) if s.kind in PULSE_KINDS else 1 for s, sec in zip(steps, seconds)
    ]
    indices = list(range(len(steps)))
    if len(steps) > max_frames:  # too many steps: sample them evenly, one frame each
        picks = sorted({round(k * (len(steps) - 1) / (max_frames - 1)) for k in range(max_frames)})
        indices = picks
        counts = [1] * len(steps)
    else:
        while sum(counts[k] for k in indices) > max_frames:
            biggest = max(indices, key=lambda k: counts[k])
            if counts[biggest] <= 1:
                break
            counts[biggest] -= 1
    out: list[tuple[int, float, int]] = []
    for k in indices:
        n = counts[k]
        ms = max(MIN_FRAME_MS, int(round(seconds[k] * 1000 / n / 10.0)) * 10)
        for m in range(1, n + 1):
            out.append((k, m / n, ms))
    if out:
        step, frac, _ = out[-1]
        out[-1] = (step, frac, FINAL_HOLD_MS)
    return out


def _progress(done: int, total: int, width: int = 30) -> None:
    if not sys.stderr.isatty():  # a log: one line at the start and one at the end
        if done in (1, total):
            print(f"nnviz export: frame {done}/{total}", file=sys.stderr, flush=True)
        return
    step = max(1, total // 50)
    if done % step and done < total:
        return
    filled = int(width * done / max(total, 1))
    bar = "█" * filled + "·" * (width - filled)
    end = "\n" if done >= total else ""
    print(f"\rnnviz export [{bar}] {done}/{total} frames", end=end, file=sys.stderr, flush=True)


def _to_pil(qimage):
    from PIL import Image
    from PySide6.QtGui import QImage

    img = qimage.convertToFormat(QImage.Format.Format_RGB888)
    w, h, bpl = img.width(), img.height(), img.bytesPerLine()
    data = bytes(img.constBits())[: bpl * h]
    return Image.frombuffer("RGB", (w, h), data, "raw", "RGB", bpl, 1).copy()


def _write_gif(frames, durations: list[int], out: Path) -> int:
    """Write the animated GIF; returns how many frames the file holds.

    A frame the same as the one before it (a still step, once quantized) is not
    written again: its time is added to the one before. (Pillow would merge them
    anyway, and the count said afterwards would be more frames than the GIF holds.)
    """
    from PIL import Image

    # one palette for the whole animation, from a few frames spread over it
    sample = frames[:: max(1, len(frames) // 4)][:4] + [frames[-1]]
    w, h = frames[0].size
    sheet = Image.new("RGB", (w, h * len(sample)))
    for n, f in enumerate(sample):
        sheet.paste(f, (0, n * h))
    palette = sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    quantized, shown, last = [], [], None
    for f, ms in zip(frames, durations):
        q = f.quantize(palette=palette, dither=Image.Dither.NONE)
        data = q.tobytes()
        if data == last:
            shown[-1] += ms
            continue
        quantized.append(q)
        shown.append(ms)
        last = data
    quantized[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=quantized[1:],
        duration=shown,
        loop=0,
        optimize=False,
        disposal=1,
    )
    return len(quantized)


def _saved_text(out: Path, written: int, rendered: int, w: int, h: int) -> str:
    """``saved OUT.gif (35 frames, 960×600, 145 KB)``: the frames the file holds, and how
    many rendered frames were the same as the one before (merged, their time kept)."""
    size_kb = out.stat().st_size / 1024
    frames = f"{written} frame" if written == 1 else f"{written} frames"
    text = f"saved {out} ({frames}, {w}×{h}, {size_kb:.0f} KB)"
    same = rendered - written
    if same:
        text += f"; {same} of the {rendered} rendered were unchanged and merged into the one before"
    return text


FORMATS = (".svg", ".png", ".gif")


def main(argv: list[str]) -> int:
    from nnviz.train_cli import export_code_main  # --out model.py [--torch] / data.csv

    if (status := export_code_main(argv)) is not None:
        return status
    p = argparse.ArgumentParser(
        prog="nnviz export",
        description="Draw a network file as a picture: SVG or PNG of one playback step, "
        "or an animated GIF of the forward and backward pass (format from the extension).",
    )
    p.add_argument("file", help="a network file (.json)")
    p.add_argument(
        "--out",
        required=True,
        metavar="OUT.svg|OUT.png|OUT.gif",
        help="the picture to write (OUT.py writes a script, OUT.csv the dataset)",
    )
    p.add_argument(
        "--step",
        type=int,
        default=None,
        metavar="N",
        help="SVG and PNG: the playback step to draw (default 0, the editing view)",
    )
    p.add_argument(
        "--size",
        type=_size,
        default=(960, 600),
        metavar="WxH",
        help="size of the picture in pixels (default 960x600)",
    )
    p.add_argument(
        "--fps", type=_fps, default=12, metavar="N", help="GIF: frames per second (default 12)"
    )
    p.add_argument(
        "--granularity",
        choices=GRANULARITIES,
        default="layer",
        help="step through whole layers (default) or neuron by neuron",
    )
    p.add_argument("--theme", choices=("light", "dark"), default="light", help="default light")
    p.add_argument(
        "--window",
        action="store_true",
        help="GIF: record the whole window (panels too), not only the network",
    )
    p.add_argument(
        "--max-frames",
        type=int,
        default=MAX_FRAMES,
        metavar="N",
        help=f"GIF: at most this many frames (default {MAX_FRAMES})",
    )
    args = p.parse_args(argv)

    from nnviz.core import io

    try:
        project = io.load(args.file)
    except io.FileFormatError as e:
        return _error(str(e))
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in FORMATS:
        return _error(
            f"{out}: the output must be a .svg, .png or .gif picture, a .py script "
            "or a .csv of the dataset"
        )
    if not out.parent.is_dir():
        return _error(f"{out}: the folder {out.parent} does not exist")
    if not 2 <= args.max_frames <= 1000:
        return _error(f"--max-frames {args.max_frames}: expected 2 to 1000")
    if kind == ".gif" and args.step is not None:
        return _error("--step draws one step: it applies to .svg and .png, not to a .gif")
    if args.window and kind != ".gif":
        return _error("--window records the animation of the whole window: only for a .gif")
    from nnviz.ui.canvas.layout import minimum_size

    need = minimum_size(project.network.sizes)
    w, h = args.size
    if not args.window and (w < need[0] or h < need[1]):
        return _error(
            f"--size {w}x{h} is too small to draw this network "
            f"({len(project.network.sizes)} layers): use at least {need[0]}x{need[1]}"
        )
    if kind == ".gif":
        return _render(project, args, out)
    return _render_still(project, args, out, kind)


def _qt_app():
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # the export must not change the user's saved theme or recent files
    os.environ.setdefault("NNVIZ_SETTINGS_SCOPE", "export")
    from PySide6.QtWidgets import QApplication

    from nnviz.ui.app import quiet_headless_qt

    quiet_headless_qt()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    return app


def _render_still(project, args, out: Path, kind: str) -> int:
    """One step as SVG or PNG, through the headless renderer."""
    _qt_app()
    from nnviz.ui.canvas.render import HeadlessRenderer
    from nnviz.ui.document import Document

    doc = Document(project)
    renderer = HeadlessRenderer(doc, args.size, theme=args.theme, granularity=args.granularity)
    step = 0 if args.step is None else args.step
    if not 0 <= step <= renderer.plan.last:
        renderer.close()
        return _error(
            f"--step {step} is out of range: this network's timeline has steps "
            f"0 to {renderer.plan.last}"
        )
    try:
        renderer.seek(step, 1.0)
        if kind == ".svg":
            renderer.save_svg(out, title=f"nnviz: {Path(args.file).name}")
        else:
            renderer.save_png(out)
    except OSError as e:
        return _error(f"{out}: cannot be written ({e.strerror or e})")
    finally:
        renderer.close()
    w, h = args.size
    print(f"saved {out} (step {step}, {w}×{h}, {kind[1:].upper()})")
    return 0


def _render(project, args, out: Path) -> int:
    if args.window:
        return _render_window(project, args, out)
    _qt_app()
    from nnviz.ui.canvas.render import HeadlessRenderer
    from nnviz.ui.document import Document

    doc = Document(project)
    renderer = HeadlessRenderer(doc, args.size, theme=args.theme, granularity=args.granularity)
    w, h = args.size
    schedule = frame_schedule(renderer.plan, args.fps, args.max_frames)
    frames, durations = [], []
    try:
        for n, (step, fraction, ms) in enumerate(schedule, start=1):
            renderer.seek(step, fraction, hold=True)
            frames.append(_to_pil(renderer.image()))
            durations.append(ms)
            _progress(n, len(schedule))
        written = _write_gif(frames, durations, out)
    except OSError as e:
        return _error(f"{out}: cannot be written ({e.strerror or e})")
    finally:
        renderer.close()
    print(_saved_text(out, written, len(frames), w, h))
    return 0


def _render_window(project, args, out: Path) -> int:
    """``--window``: the whole main window, panels and all, grabbed frame by frame."""
    _qt_app()
    from PySide6.QtCore import QCoreApplication

    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    doc = Document(project)
    window = MainWindow(doc, theme_choice=args.theme)
    controller = window.playback
    controller.set_granularity(args.granularity)
    w, h = args.size
    window.resize(w, h)
    window.show()
    for _ in range(3):
        QCoreApplication.processEvents()
    window.canvas.fit()
    controller.set_hold_active(True)
    schedule = frame_schedule(controller.plan, args.fps, args.max_frames)
    frames, durations = [], []
    try:
        for n, (step, fraction, ms) in enumerate(schedule, start=1):
            controller.seek(step, fraction)
            QCoreApplication.processEvents()
            frames.append(_to_pil(window.grab().toImage()))
            durations.append(ms)
            _progress(n, len(schedule))
        written = _write_gif(frames, durations, out)
    except OSError as e:
        return _error(f"{out}: cannot be written ({e.strerror or e})")
    finally:
        doc.undo_stack.setClean()
        window.close()
    print(_saved_text(out, written, len(frames), w, h))
    return 0
