"""Run in a subprocess on a real X server (QT_QPA_PLATFORM=xcb) by test_real_window.py.

Opens the real main window at 1280x800, seeks playback into the first a·w step
(pulses part-way along their edges), grabs the window from the screen with
QScreen.grabWindow (what the user sees, not widget.grab()) and prints, as JSON,
for each pulse: where it should be (window pixels, from the canvas geometry)
and how much of a small disc around that point has the pulse's colour.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def main() -> int:
    from PySide6.QtCore import QCoreApplication, QPointF
    from PySide6.QtGui import QGuiApplication, QImage
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - kept alive
    from nnviz.core import examples
    from nnviz.ui import theme as themes
    from nnviz.ui.document import Document
    from nnviz.ui.main_window import MainWindow

    doc = Document(examples.default_project())
    window = MainWindow(doc, theme_choice="light")
    window.setGeometry(0, 0, 1280, 800)
    window.show()
    for _ in range(20):
        QCoreApplication.processEvents()
        time.sleep(0.02)
    controller = window.playback
    step = controller.plan.find("forward_edges", 1)
    fraction = 0.8  # near the neurons they feed: clear of the a·w labels mid-edge
    canvas = window.canvas

    def grab(at: float) -> np.ndarray:
        controller.seek(step, at)
        canvas.viewport().repaint()
        for _ in range(10):
            QCoreApplication.processEvents()
            time.sleep(0.02)
        screen = window.screen() or QGuiApplication.primaryScreen()
        image = screen.grabWindow(window.winId()).toImage()
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        if len(sys.argv) > 1:  # keep the pictures, to look at
            image.save(f"{sys.argv[1]}-{at:.2f}.png")
        w, h, bpl = image.width(), image.height(), image.bytesPerLine()
        rows = np.frombuffer(bytes(image.constBits())[: bpl * h], np.uint8).reshape(h, bpl)
        return rows[:, : 3 * w].reshape(h, w, 3).astype(int)

    # the same step without pulses (they have arrived) and with them part-way
    still = grab(1.0)
    moving = grab(fraction)
    changed = np.abs(moving - still).max(axis=2) > 24  # the pulses, and only they
    dpr = window.devicePixelRatioF()

    frame = controller.frame
    layout = canvas.layout
    l = frame.active_layer  # noqa: E741
    active = frame.active_edges()
    x1, y1, x2, y2 = (np.asarray(a) for a in layout.edge_segments(l))
    t = fraction * fraction * (3.0 - 2.0 * fraction)
    W = doc.network.layers[l - 1].W
    aw = W * doc.trace.a[l - 1][0][None, :]
    th = themes.current()
    h, w = changed.shape
    yy, xx = np.mgrid[0:h, 0:w]
    near_any = np.zeros_like(changed)
    pulses = []
    for j, i in zip(*np.nonzero(active)):
        sx = float(x1[j, i] + (x2[j, i] - x1[j, i]) * t)
        sy = float(y1[j, i] + (y2[j, i] - y1[j, i]) * t)
        wp = canvas.viewport().mapTo(window, canvas.mapFromScene(QPointF(sx, sy)))
        cx, cy = wp.x() * dpr, wp.y() * dpr
        color = th.positive if aw[j, i] >= 0 else th.negative
        want = np.array([color.red(), color.green(), color.blue()])
        d2 = (xx - cx) ** 2 + (yy - cy) ** 2
        disc = d2 <= 16
        near_any |= d2 <= (14 * dpr) ** 2
        coloured = np.abs(moving - want).max(axis=2) <= 40
        pulses.append(
            {
                "edge": [int(l), int(j), int(i)],
                "x": cx,
                "y": cy,
                # the disc around where the pulse should be, in its colour
                "match": float(coloured[disc].mean()),
                # pixels the pulse changed (its rim at least) around that point
                "changed_near": int(changed[d2 <= (12 * dpr) ** 2].sum()),
            }
        )
    stray = changed & ~near_any
    print(
        json.dumps(
            {
                "platform": QGuiApplication.platformName(),
                "window": [window.width(), window.height()],
                "step": step,
                "pulses": pulses,
                "changed_pixels": int(changed.sum()),
                "stray_pixels": int(stray.sum()),
            }
        )
    )
    window.document.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
