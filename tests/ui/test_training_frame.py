"""What keeps a training frame cheap, without changing what the user sees.

A panel hidden behind another tab waits and catches up when shown (its text is
then what a fresh panel writes); the same text is never set twice; the views
that follow the weights redraw once per frame.
"""

from __future__ import annotations

import pytest

from nnviz.core import examples
from nnviz.ui.document import Document, Selection
from nnviz.ui.main_window import MainWindow
from nnviz.ui.panels.chain_rule import ChainRulePanel


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = MainWindow(Document(examples.load("train_xor")), theme_choice="light")
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.canvas.fit()
    yield w
    w.document.undo_stack.setClean()
    w.close()
    w.deleteLater()


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


def test_a_hidden_chain_rule_waits_and_is_current_when_shown(qtbot, window):
    panel = window.features["chain_rule"].panel
    docks = window.docks
    chain, inspector = docks["chainRuleDock"], docks["inspectorDock"]
    window.tabifyDockWidget(inspector, chain)
    inspector.raise_()
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty())
    calls = _count_set_html(panel)
    doc = window.document
    before = panel._plain
    doc.select(Selection.of_neuron(1, 0))
    window.training.set_visible(True)
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
    assert len(calls) == 2 and panel.text.toPlainText() == _fresh_text(window)
