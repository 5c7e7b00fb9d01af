"""What keeps a training frame cheap, without changing what the user sees.

A panel hidden behind another tab waits and catches up when shown (its text is
then what a fresh panel writes); the same text is never set twice; the views
that follow the weights redraw once per frame.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from nnviz.ui.document import Selection
from nnviz.ui.panels.chain_rule import ChainRulePanel


@pytest.fixture
def window(open_window):
    w = open_window("train_xor", theme_choice="light")
    w.canvas.fit()
    return w


def _count_set_html(panel) -> list[str]:
    calls: list[str] = []
    real = panel.text.setHtml

    def counting(text: str) -> None:
        calls.append(text)
        real(text)

    panel.text.setHtml = counting
    return calls


def _fresh_text(window) -> str:
    """What a new chain-rule panel writes for the document as it is now."""
    fresh = ChainRulePanel(window.document, window.playback)
    try:
        return fresh.text.toPlainText()
    finally:
        fresh.deleteLater()


def _fresh_html(window) -> str:
    fresh = ChainRulePanel(window.document, window.playback)
    try:
        return fresh.text.toHtml()
    finally:
        fresh.deleteLater()


def test_a_hidden_chain_rule_waits_and_is_current_when_shown(qtbot, window):
    panel = window.features["chain_rule"].panel
    docks = window.docks
    chain, inspector = docks["chainRuleDock"], docks["inspectorDock"]
    window.training.set_visible(True)  # (its own arrangement first: then the tabs)
    qtbot.wait(100)  # (it finishes arranging in the event loop)
    window.tabifyDockWidget(inspector, chain)
    inspector.raise_()
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty())
    calls = _count_set_html(panel)
    doc = window.document
    before = panel._plain
    doc.select(Selection.of_neuron(1, 0))
    for _ in range(3):
        window.training.controller.epoch_once()
    assert panel._stale and calls == []  # the edits cost it nothing while hidden
    assert panel._plain == before
    # the check's menu action still follows the selection while the panel waits
    assert window.features["chain_rule"].check_action.isEnabled()
    chain.raise_()
    qtbot.waitUntil(lambda: not panel._stale)
    assert len(calls) == 1
    assert panel.text.toPlainText() == _fresh_text(window)
    assert panel.plain_text() != before


def test_reading_a_hidden_chain_rule_brings_it_up_to_date(qtbot, window):
    panel = window.features["chain_rule"].panel
    chain, inspector = window.docks["chainRuleDock"], window.docks["inspectorDock"]
    window.tabifyDockWidget(inspector, chain)
    inspector.raise_()
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty())
    window.document.select(Selection.of_edge(1, 0, 0))
    assert panel._stale
    assert panel.text.toPlainText() == _fresh_text(window)
    assert not panel._stale


def test_the_chain_rule_never_sets_the_same_text_twice(qtbot, window):
    panel = window.features["chain_rule"].panel
    calls = _count_set_html(panel)
    doc = window.document
    doc.select(Selection.of_neuron(1, 0))
    assert len(calls) == 1
    doc.notify_display_changed("nothing the panel shows")
    panel.refresh()
    assert len(calls) == 1  # the same text: not set again
    w = float(doc.network.layers[0].W[0, 0])
    doc.set_weight(1, 0, 0, w + 0.5)
    # only numbers changed: the changed lines are written into the shown page
    assert len(calls) == 1 and panel.text.toPlainText() == _fresh_text(window)
    assert panel.text.toHtml() == _fresh_html(window)
    doc.select(Selection.of_edge(1, 0, 1))  # another page: written whole
    assert len(calls) == 2 and panel.text.toHtml() == _fresh_html(window)


# ------------------------------------------------------------------ the training plots
def _marker(plot):
    x, y = plot.sample_marker.getData()
    return [(float(a), float(b)) for a, b in zip(x, y)]


def test_the_sample_marker_follows_the_sample_and_is_not_set_again_while_training(qtbot, window):
    f = window.training
    f.set_visible(True)
    ctrl, plot = f.controller, f.boundary
    tr = ctrl.trainer
    k = int(tr.train_index[5])
    assert ctrl.select_point(k)
    plot.refresh(force=True)
    assert _marker(plot) == [tuple(map(float, tr.data.points[k]))]
    calls = []
    real = plot.sample_marker.setData
    plot.sample_marker.setData = lambda *a, **kw: (calls.append(a), real(*a, **kw))
    for _ in range(3):
        ctrl.epoch_once()
        plot.refresh(force=True)
    assert calls == []  # the point did not move
    for _ in range(4):  # the three epochs, the sample
        window.document.undo_stack.undo()
    plot.refresh(force=True)
    want = [] if ctrl.sample_point is None else [tuple(map(float, ctrl.sample_point))]
    assert _marker(plot) == want and want != [tuple(map(float, tr.data.points[k]))]


def test_history_columns_read_only_the_new_epochs_and_start_again_after_a_reset():
    from nnviz.core.training import EpochStats
    from nnviz.ui.training.plots import HistoryColumns

    def stats(e, test=True):
        return EpochStats(e, 1.0 / e, 2.0 / e if test else None, 0.5, None)

    def fresh(hist):
        return HistoryColumns().read(hist)

    def same(a, b):
        return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))

    cols = HistoryColumns()
    hist = [stats(1), stats(2)]
    assert same(cols.read(hist), fresh(hist))
    hist += [stats(3, test=False), stats(4)]
    got = cols.read(hist)
    assert same(got, fresh(hist)) and got[0].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert np.isnan(got[2][2]) and np.isnan(got[4]).all()
    assert cols.read(hist) is got  # nothing new: the same arrays
    hist[:] = [stats(7)]  # the same list, shorter (a reset in place)
    assert same(cols.read(hist), fresh(hist))
    other = [stats(1), stats(2), stats(9)]  # another trainer's history, longer
    assert same(cols.read(other), fresh(other))
    other[-1] = stats(5)  # the last record replaced (a history only grows): read it all
    other.append(stats(10))
    assert same(cols.read(other), fresh(other))
    assert same(cols.read([]), fresh([])) and cols.read([])[0].size == 0


def test_a_long_run_draws_each_loss_curve_at_a_few_points_per_pixel_with_its_extremes(window):
    from nnviz.ui.training.plots import SAMPLES_PER_PIXEL, LossPlot

    f = window.training
    f.set_visible(True)
    ctrl = f.controller
    ctrl.run_slice(0, 3000, budget=1e9)
    ctrl.shown.emit()
    lp = window.findChild(LossPlot)
    lp.refresh(force=True)
    curve = lp.train_curve
    x, y = curve.getData()  # what is drawn
    xs, ys = curve.xData, curve.yData  # every epoch
    width = lp.item.getViewBox().width()
    assert len(xs) == 3000
    assert len(x) <= 2 * SAMPLES_PER_PIXEL * width + 4 < len(xs)
    # the peaks are kept: the drawn line spans the same losses
    assert float(np.nanmin(y)) == float(np.nanmin(ys))
    assert float(np.nanmax(y)) == float(np.nanmax(ys))


# ------------------------------------------------------------------ the canvas
def _pixels(image) -> np.ndarray:
    image = image.convertToFormat(image.Format.Format_ARGB32)
    b = np.frombuffer(image.constBits(), np.uint8)
    rows = b.reshape(image.height(), image.bytesPerLine() // 4, 4)
    return rows[:, : image.width()].astype(int)


def test_the_legend_is_made_once_and_looks_as_drawn_directly(qtbot, window):
    canvas = window.canvas
    window.training.set_visible(True)
    cached = _pixels(canvas.viewport().grab().toImage())
    made = canvas.legend_renders
    assert made >= 1
    for _ in range(3):  # training frames: the legend's look does not change
        window.training.controller.epoch_once()
        canvas.viewport().grab()
    assert canvas.legend_renders == made
    cached = _pixels(canvas.viewport().grab().toImage())

    def direct(p):  # the legend drawn as shapes and text, as for vector output
        p.save()
        p.resetTransform()
        canvas._draw_legend(p)
        p.restore()

    canvas.paint_legend = direct
    canvas.viewport().update()
    drawn = _pixels(canvas.viewport().grab().toImage())
    box = canvas.legend_layout()[0]
    assert box.width() > 50
    # the same picture, up to the rounding of compositing it in two steps
    assert np.abs(cached - drawn).max() <= 2
    del canvas.paint_legend
    # a new theme, a new size: made again
    window.resize(1100, 760)
    qtbot.waitUntil(lambda: canvas.viewport().width() < 900)
    canvas.viewport().grab()
    assert canvas.legend_renders > made


def test_a_patched_chain_rule_page_is_the_page_written_whole_at_every_step(qtbot, window):
    """Numbers written into the shown page (playback steps with active and future lines,
    a selected neuron, an edge, no selection) give what setHtml of the page gives."""
    panel = window.features["chain_rule"].panel
    calls = _count_set_html(panel)
    doc, c = window.document, window.playback
    checked = 0
    for sel in (None, Selection.of_neuron(1, 0), Selection.of_edge(2, 0, 1)):
        doc.select(sel)
        for step in range(0, c.last + 1, 2):
            c.seek(step, 1.0)
            for delta in (0.25, -0.5):
                w = float(doc.network.layers[0].W[0, 1])
                doc.set_weight(1, 0, 1, w + delta)
                assert panel.text.toHtml() == _fresh_html(window), (sel, step, delta)
                checked += 1
    assert checked > 20
    written = len(calls)
    assert 0 < written < checked  # most edits only patched numbers in


def test_a_new_loss_figure_repaints_its_label_without_laying_out_the_window(qtbot, window):
    from PySide6.QtCore import QEvent, QObject

    from nnviz.ui.training.plots import LossPlot

    window.training.set_visible(True)
    ctrl = window.training.controller
    ctrl.epoch_once()
    lp = window.findChild(LossPlot)
    # in front (at 1280x800 the loss is a tab behind the data plot, and a hidden
    # panel is written only when shown)
    qtbot.wait(100)  # (training finishes arranging its tabs in the event loop)
    window.docks["lossDock"].raise_()
    qtbot.waitUntil(lambda: not lp.visibleRegion().isEmpty())
    figures = lp.figures
    qtbot.waitUntil(lambda: figures.label.height() >= figures.heightForWidth(figures.width()))
    requests = []

    class Layouts(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.LayoutRequest:
                requests.append(obj.objectName())
            return False

    watcher = Layouts()
    for w in (lp, window):
        w.installEventFilter(watcher)
    for _ in range(3):
        ctrl.epoch_once()
        qtbot.wait(5)
    qtbot.waitUntil(lambda: figures.text().startswith(f"Epoch {ctrl.trainer.epoch}:"))
    assert window.findChild(QLabel, "trainingFigures").text() == figures.text()
    assert requests == []  # same height: only the label repainted
    # a text that needs more lines: the panel makes room for it
    long = "; ".join(["a long figure line that wraps"] * 6)
    figures.setText(long)
    qtbot.waitUntil(lambda: figures.height() >= figures.heightForWidth(figures.width()))
    assert figures.label.height() == figures.height() and figures.label.text() == long
    assert requests  # this one asked for a new layout
    for w in (lp, window):
        w.removeEventFilter(watcher)


def test_the_data_points_look_the_same_from_their_cached_images(qtbot, window):
    from PySide6.QtWidgets import QGraphicsItem

    f = window.training
    f.set_visible(True)
    plot = f.boundary
    items = (plot.train_points, plot.test_points, plot.sample_marker)
    assert all(it.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache for it in items)

    def picture(cached: bool) -> np.ndarray:
        mode = QGraphicsItem.CacheMode
        for it in items:
            it.setCacheMode(mode.DeviceCoordinateCache if cached else mode.NoCache)
        return _pixels(plot.plot.viewport().grab().toImage())

    for change in (None, "regenerate", "sample"):
        if change == "regenerate":  # new points: the cached image follows them
            f.controller.change_dataset(seed=f.controller.spec.dataset.seed + 1)
        elif change == "sample":
            f.controller.select_point(int(f.controller.trainer.train_index[2]))
        plot.refresh(force=True)
        picture(True)  # (the cache made for this data)
        cached, drawn = picture(True), picture(False)
        assert np.abs(cached - drawn).max() <= 2, change
