"""Typed document signals, playback step vs tick, and features installed through the host."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMenu

from nnviz.core import examples
from nnviz.core.addresses import Bias, Input, Target, Weight
from nnviz.ui.context import AppContext, Host
from nnviz.ui.document import Document, Selection
from nnviz.ui.main_window import MainWindow
from nnviz.ui.playback import PlaybackController

SIGNALS = (
    "shape_changed",
    "values_changed",
    "sample_changed",
    "selection_changed",
    "results_changed",
    "display_changed",
)


class Recorder:
    """Every document signal, in the order emitted, with its arguments."""

    def __init__(self, doc: Document) -> None:
        self.events: list[tuple] = []
        for name in SIGNALS:
            getattr(doc, name).connect(lambda *args, n=name: self.events.append((n, *args)))

    def names(self) -> list[str]:
        return [e[0] for e in self.events]

    def of(self, name: str) -> list[tuple]:
        return [e[1:] for e in self.events if e[0] == name]


@pytest.fixture
def doc(qapp) -> Document:
    return Document(examples.load("default"))


def test_one_weight_changed_names_that_weight_alone(doc):
    rec = Recorder(doc)
    rev = doc.values_revision
    shape_rev, sample_rev = doc.shape_revision, doc.sample_revision
    assert doc.set_weight(1, 0, 1, 0.75)
    assert rec.of("values_changed") == [(frozenset({Weight(1, 0, 1)}), rev + 1)]
    assert doc.values_revision == rev + 1
    assert (doc.shape_revision, doc.sample_revision) == (shape_rev, sample_rev)
    # the typed signal first, then once "results" (the old coarse signals are gone)
    assert rec.names() == ["values_changed", "results_changed"]
    assert not hasattr(doc, "network_changed") and not hasattr(doc, "settings_changed")
    change = rec.of("results_changed")[0][0]
    assert change.values == frozenset({Weight(1, 0, 1)}) and not change.shape
    assert change.sample is False and change.values_revision == rev + 1
    # undo names the same weight again, with a new revision
    rec.events.clear()
    doc.undo_stack.undo()
    assert rec.of("values_changed") == [(frozenset({Weight(1, 0, 1)}), rev + 2)]
    assert "shape_changed" not in rec.names()
    rec.events.clear()
    assert doc.set_bias(2, 0, 0.5)
    assert rec.of("values_changed") == [(frozenset({Bias(2, 0)}), rev + 3)]


def test_input_and_target_edits_are_sample_changes(doc):
    rec = Recorder(doc)
    rev = doc.sample_revision
    doc.set_input(1, 2.0)
    doc.set_target(0, 0.25)
    assert rec.of("sample_changed") == [
        (frozenset({Input(1)}), rev + 1),
        (frozenset({Target(0)}), rev + 2),
    ]
    assert not rec.of("values_changed") and not rec.of("shape_changed")


def test_a_structural_edit_is_a_shape_change_and_every_value(doc):
    rec = Recorder(doc)
    shape_rev = doc.shape_revision
    doc.add_neuron(1)
    assert rec.of("shape_changed") == [(shape_rev + 1,)]
    assert rec.of("values_changed") == [(None, doc.values_revision)]
    # shape, then values, then once "results" last
    assert rec.names() == ["shape_changed", "values_changed", "results_changed"]
    rec.events.clear()
    doc.apply_update()  # values only: every parameter, the shape unchanged
    assert rec.of("values_changed") == [(None, doc.values_revision)]
    assert not rec.of("shape_changed") and not rec.of("sample_changed")
    rec.events.clear()
    doc.add_neuron(0)  # a new input: the sample grows too
    assert rec.of("shape_changed") and rec.of("sample_changed") == [(None, doc.sample_revision)]
    assert rec.names() == ["shape_changed", "values_changed", "sample_changed", "results_changed"]


def test_selection_changed_carries_old_and_new(doc):
    rec = Recorder(doc)
    a, b = Selection.of_neuron(1, 0), Selection.of_edge(2, 0, 1)
    doc.select(a)
    doc.select(b)
    doc.select(b)  # no change, no signal
    doc.select(None)
    assert rec.of("selection_changed") == [(None, a), (a, b), (b, None)]
    doc.select(Selection.of_neuron(1, 2))
    rec.events.clear()
    doc.remove_neuron(1, 2)  # the selection goes with its neuron: old → None
    assert rec.of("selection_changed") == [(Selection.of_neuron(1, 2), None)]
    # the typed signals in their order, the cleared selection before "results"
    assert rec.names() == [
        "shape_changed",
        "values_changed",
        "selection_changed",
        "results_changed",
    ]


def test_display_changes_are_named(doc):
    rec = Recorder(doc)
    doc.set_decimals(5)
    doc.set_learning_rate(0.1)
    doc.set_learning_rate(0.1)  # unchanged
    assert rec.of("display_changed") == [("decimals",), ("learning_rate",)]
    assert rec.names() == ["display_changed", "display_changed"]  # nothing else


def test_selection_address_is_what_the_check_and_the_inspector_edit():
    assert Selection.of_edge(2, 0, 1).address() == Weight(2, 0, 1)
    assert Selection.of_neuron(1, 2).address() == Bias(1, 2)
    assert Selection.of_neuron(0, 1).address() == Input(1)


# ------------------------------------------------------------------ playback
def test_playback_emits_steps_apart_from_ticks(doc):
    c = PlaybackController(doc)
    steps, ticks = [], []
    c.step_changed.connect(steps.append)
    c.frame_changed.connect(lambda f: ticks.append((f.index, f.fraction)))
    c.seek(2, 0.0)
    c.play()
    steps.clear(), ticks.clear()
    d0 = c.plan.steps[c.step].duration
    for _ in range(d0 - 1):
        c.advance(1.0)
    assert steps == [] and len(ticks) == d0 - 1  # progress within the step: ticks only
    c.advance(2.0)
    assert steps == [3] and ticks[-1][0] == 3  # into the next step: one step_changed
    c.pause()
    steps.clear(), ticks.clear()
    c.advance(5.0)  # paused: nothing moves, nothing is said
    assert steps == [] and ticks == []
    c.seek_step(4)
    assert steps == [4] and ticks == [(4, 1.0)]
    c.timer.stop()


def test_playback_controller_needs_no_window_and_reports_through_messages(doc, capsys):
    said = []
    c = PlaybackController(doc, messages=lambda text, error: said.append((text, error)))
    assert c.seek_step(c.last + 1) is False
    assert said and said[0][1] is True and "out of range" in said[0][0]
    capsys.readouterr()


def test_a_value_edit_keeps_the_plan_and_a_shape_edit_rebuilds_it(doc):
    c = PlaybackController(doc)
    plan = c.plan
    rebuilt = []
    c.plan_changed.connect(lambda: rebuilt.append(True))
    doc.set_weight(1, 0, 0, 0.123)
    assert c.plan is plan and not rebuilt
    doc.add_neuron(1)
    assert c.plan is not plan and c.plan.sizes == (2, 4, 1)
    assert not rebuilt  # layer by layer: the same list of steps, so nobody is told
    c.set_granularity("neuron")
    rebuilt.clear()
    doc.add_neuron(1)  # neuron by neuron: one more neuron is more steps
    assert rebuilt and c.plan.sizes == (2, 5, 1)


# ------------------------------------------------------------------ features
class BadgeFeature:
    """A feature as a training or lesson feature will be: a dock, an action, a menu."""

    name = "badge"

    def install(self, ctx: AppContext, host: Host) -> None:
        self.ctx = ctx
        self.label = QLabel("revisions")
        self.label.setObjectName("badgeLabel")
        self.dock = host.add_dock(
            "badgeDock", "Badge", self.label, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.action = host.add_action(
            "badgeAction", "&Badge", "Show the revisions", self.refresh, ["Ctrl+Shift+B"]
        )
        self.menu = host.add_menu("badgeMenu", "&Badge", [self.action])
        ctx.document.values_changed.connect(self.refresh)
        self.steps: list[int] = []
        if ctx.playback is not None:
            ctx.playback.step_changed.connect(self.steps.append)

    def refresh(self, *_args) -> None:
        self.label.setText(f"values revision {self.ctx.document.values_revision}")


def test_a_feature_installs_itself_through_the_host(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = MainWindow(Document(examples.load("default")), theme_choice="light")
    qtbot.addWidget(w, before_close_func=lambda w: w.document.undo_stack.setClean())
    assert isinstance(w, Host)
    feature = w.install_feature(BadgeFeature())
    assert w.features["badge"] is feature and feature.ctx is w.context
    assert w.findChild(QDockWidget, "badgeDock") is feature.dock
    assert feature.dock.toggleViewAction() in w.panels_menu.actions()
    assert w.actions_by_name["badgeAction"] is feature.action
    assert w.context.actions["badgeAction"] is feature.action
    assert feature.action.shortcut().toString() == "Ctrl+Shift+B"
    menus = [a.menu() for a in w.menuBar().actions() if a.menu() is not None]
    names = [m.objectName() for m in menus]
    assert names.index("badgeMenu") == names.index("helpMenu") - 1
    assert w.menu("badgeMenu") is feature.menu and isinstance(feature.menu, QMenu)
    w.document.set_weight(1, 0, 0, 0.5)
    assert feature.label.text() == f"values revision {w.document.values_revision}"
    w.playback.seek_step(3)
    assert feature.steps[-1] == 3
    feature.action.trigger()
    # the context is built once and the features share it
    assert w.context.playback is w.playback and w.context.document is w.document


def test_messages_reach_the_status_bar_and_the_theme_is_an_object(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = MainWindow(Document(examples.load("default")), theme_choice="light")
    qtbot.addWidget(w)
    w.context.messages.show("Hello from a feature", error=True)
    assert w.status.text() == "Hello from a feature"
    seen = []
    w.context.theme.changed.connect(seen.append)
    names = []
    w.document.display_changed.connect(names.append)
    w.apply_theme("dark", remember=False)
    assert w.context.theme.choice == "dark" and seen and seen[-1].name == "dark"
    assert names == ["theme"]
    w.apply_theme("light", remember=False)


def test_within_a_step_only_the_canvas_hears_the_ticks(qtbot, tmp_path, monkeypatch):
    """Five listeners used to get every tick and drop the repeats; now they get steps."""
    monkeypatch.setenv("NNVIZ_SETTINGS_SCOPE", f"test-{tmp_path.name}")
    w = MainWindow(Document(examples.load("default")), theme_choice="light")
    qtbot.addWidget(w)
    c = w.playback
    calls: dict[str, int] = {}

    def counting(obj, name: str, key: str) -> None:
        original = getattr(obj, name)

        def wrapper(*args, **kwargs):
            calls[key] = calls.get(key, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(obj, name, wrapper)

    counting(w.activation_plot, "set_playback", "plot")
    counting(w.canvas, "set_playback_active", "canvas")
    first = c.plan.find("forward_edges")
    c.seek(first, 0.0)
    c.play()
    c.timer.stop()  # the test is the timer
    calls.clear()
    bar = w.features["playback"].bar
    panel = w.features["chain_rule"].panel
    counting(bar, "refresh", "bar")
    counting(panel, "refresh", "chain rule")
    counting(w.features["playback"].caption_overlay, "refresh", "caption")
    duration = c.plan.steps[first].duration
    for _ in range(duration - 2):
        c.advance(1.0)
    assert c.step == first
    assert calls == {"canvas": duration - 2}  # bar, panel, caption, plot: nothing per tick
    told = []
    c.step_changed.connect(told.append)
    c.advance(3.0)
    assert told == [first + 1] and c.step == first + 1
    # entering the next step they are told, once each (the counting does count them)
    assert calls["bar"] == 1 and calls["chain rule"] == 1 and calls["caption"] == 1
    assert calls["plot"] == 1
    c.pause()
