"""The playback bar: transport buttons, the step slider and caption, speed, granularity.

The buttons are bound to the window's playback actions (so their tooltips show
the shortcuts); the slider seeks; nothing here moves the timeline but through
the :class:`~nnviz.ui.playback.PlaybackController`.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.core.timeline import SPEEDS

GRANULARITY_LABELS = {"layer": "Layer by layer", "neuron": "Neuron by neuron"}


def _speed_text(s: float) -> str:
    return f"{s:g}×"


class PlaybackBar(QWidget):
    """``PlaybackBar(controller, actions)``: ``actions`` maps the playback actions' objectNames."""

    def __init__(self, controller, actions: dict[str, QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("playbackBar")
        self.setToolTip("Play the forward and backward pass step by step")
        self.controller = controller
        self._updating = False

        self.buttons: dict[str, QToolButton] = {}
        # one row when the caption fits beside the controls; on a narrow window the
        # caption gets a row of its own above them, whole (never cut)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 2, 6, 2)
        outer.setSpacing(2)
        self._caption_row = QHBoxLayout()
        outer.addLayout(self._caption_row)
        layout = QHBoxLayout()
        layout.setSpacing(6)
        outer.addLayout(layout)
        self._row = layout
        self.two_rows = False
        SP = QStyle.StandardPixmap
        for name, button_name, icon in (
            ("toStartAction", "toStartButton", SP.SP_MediaSkipBackward),
            ("stepBackAction", "stepBackButton", SP.SP_MediaSeekBackward),
            ("playPauseAction", "playButton", SP.SP_MediaPlay),
            ("stepForwardAction", "stepForwardButton", SP.SP_MediaSeekForward),
            ("toEndAction", "toEndButton", SP.SP_MediaSkipForward),
        ):
            b = QToolButton(self)
            b.setObjectName(button_name)
            act = actions[name]
            b.setIcon(self.style().standardIcon(icon))
            b.setIconSize(QSize(24, 24))
            b.setText(act.text().replace("&", ""))
            b.setToolTip(act.toolTip())
            b.clicked.connect(act.trigger)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumSize(36, 32)
            layout.addWidget(b)
            self.buttons[name] = b
        self.play_button = self.buttons["playPauseAction"]

        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("stepSlider")
        self.slider.setToolTip("Drag to any step of the forward and backward pass")
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setMinimumWidth(100)
        self.slider.setMaximumWidth(320)
        self.slider.setPageStep(1)
        self.slider.valueChanged.connect(self._on_slider)
        layout.addWidget(self.slider)

        self.label = QLabel(self)
        self.label.setObjectName("stepLabel")
        self.label.setToolTip("The step shown on the canvas")
        f = self.label.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.label.setFont(f)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.label, 1)

        speed_label = QLabel("Speed", self)
        layout.addWidget(speed_label)
        self.speed = QComboBox(self)
        self.speed.setObjectName("speedCombo")
        self.speed.setToolTip("Playback speed, 0.25× to 4×")
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for s in SPEEDS:
            self.speed.addItem(_speed_text(s), s)
        self.speed.currentIndexChanged.connect(self._on_speed)
        layout.addWidget(self.speed)

        self.granularity = QComboBox(self)
        self.granularity.setObjectName("granularityCombo")
        self.granularity.setToolTip("Step through a whole layer at a time, or neuron by neuron")
        self.granularity.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key, text in GRANULARITY_LABELS.items():
            self.granularity.addItem(text, key)
        self.granularity.currentIndexChanged.connect(self._on_granularity)
        layout.addWidget(self.granularity)

        self.apply_button = QToolButton(self)
        self.apply_button.setObjectName("applyUpdateButton")
        self.apply_button.setText("Apply update")
        self.apply_button.setToolTip(
            "Take this gradient-descent step: every w ← w − η·∂L/∂w (undoable)"
        )
        self.apply_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.apply_button.clicked.connect(self._on_apply)
        layout.addWidget(self.apply_button)

        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # what the bar shows changes per step, never within one: no per-tick refresh
        controller.step_changed.connect(self.refresh)
        controller.playing_changed.connect(lambda _p: self.refresh())
        controller.plan_changed.connect(self.refresh)
        controller.plan_changed.connect(self._fit_rows)
        controller.speed_changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ layout
    def caption_width(self) -> int:
        """The width of the longest caption of this network's steps (the label's need)."""
        fm = self.label.fontMetrics()
        c = self.controller
        # the update step also says what it does to the loss (the controller's caption)
        widths = [fm.horizontalAdvance(text + "  ") for text in c.widest_captions()]
        return max(widths, default=0) + 2 * self.label.margin() + 8

    def one_row_width(self) -> int:
        """The width one row needs: every control at its natural size plus the caption."""
        row = self._row
        total = 0
        n = 0
        for i in range(row.count()):
            w = row.itemAt(i).widget()
            if w is None or w is self.label or w.isHidden():
                continue
            total += max(w.sizeHint().width(), w.minimumWidth())
            n += 1
        m = self.layout().contentsMargins()
        return total + self.caption_width() + (n + 1) * row.spacing() + m.left() + m.right()

    def _fit_wrap(self) -> None:
        """On its own row, a caption longer than the bar wraps onto two lines (the
        row is two lines high for every step, so the canvas does not jump)."""
        m = self.layout().contentsMargins()
        room = self.width() - m.left() - m.right()
        now = self.label.fontMetrics().horizontalAdvance(self.label.text())
        wrap = self.two_rows and max(self.caption_width(), now + 8) > room
        if wrap != self.label.wordWrap():
            self.label.setWordWrap(wrap)
            fm = self.label.fontMetrics()
            self.label.setMinimumHeight(
                2 * fm.lineSpacing() + 2 * self.label.margin() if wrap else 0
            )
            self.updateGeometry()

    def _fit_rows(self, *_args) -> None:
        two = self.width() < self.one_row_width()
        if two == self.two_rows and self.label.parentWidget() is self:
            self._fit_wrap()
            return
        self.two_rows = two
        for lay in (self._row, self._caption_row):
            lay.removeWidget(self.label)
        if two:
            self._caption_row.addWidget(self.label, 1)
        else:
            self._row.insertWidget(self._row.indexOf(self.slider) + 1, self.label, 1)
        self._fit_wrap()
        # without the caption beside it, the slider takes the row's spare width
        self.slider.setMaximumWidth(16777215 if two else 320)
        self._row.setStretchFactor(self.slider, 1 if two else 0)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 200), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_rows()

    # ------------------------------------------------------------ sync
    def refresh(self, *_args) -> None:
        c = self.controller
        self._updating = True
        try:
            if self.slider.maximum() != c.last:
                self.slider.setMaximum(c.last)
            if self.slider.value() != c.step:
                self.slider.setValue(c.step)
            text = c.caption()
            if self.label.text() != text:
                self.label.setText(text)
                if self.two_rows:
                    self._fit_wrap()  # a step's own numbers may make it longer
            SP = QStyle.StandardPixmap
            if self.play_button.property("playing") != c.playing:
                self.play_button.setProperty("playing", c.playing)
                icon = SP.SP_MediaPause if c.playing else SP.SP_MediaPlay
                self.play_button.setIcon(self.style().standardIcon(icon))
            # every tick comes here: look the combo boxes up only when their value changed
            if self.speed.currentData() != c.speed:
                i = self.speed.findData(c.speed)
                if i >= 0:
                    self.speed.setCurrentIndex(i)
            if self.granularity.currentData() != c.granularity:
                self.granularity.setCurrentIndex(self.granularity.findData(c.granularity))
            self.apply_button.setEnabled(c.frame.update_shown)
        finally:
            self._updating = False

    def _on_slider(self, value: int) -> None:
        if not self._updating and value != self.controller.step:
            self.controller.seek_step(int(value))

    def _on_speed(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.controller.set_speed(float(self.speed.itemData(index)))

    def _on_granularity(self, index: int) -> None:
        if not self._updating and index >= 0:
            self.controller.set_granularity(str(self.granularity.itemData(index)))

    def _on_apply(self) -> None:
        """Take the step, and say in the status bar what it did to the loss."""
        from nnviz.core.explain import fmt, fmt_change

        doc = self.controller.document
        before, lr = float(doc.grads.loss), doc.learning_rate
        if not doc.apply_update():
            return
        after, d = float(doc.grads.loss), doc.decimals
        change = "fell" if after < before else "rose" if after > before else "stayed"
        text = f"Gradient step with η = {fmt(lr, max(d, 3))}: the loss {change}"
        b, a = fmt_change(before, after, d)  # as many digits as show the change
        text += f" at {b}" if change == "stayed" else f" from {b} to {a}"
        if change == "rose":
            text += " — the step was too long; lower the learning rate η in the inspector"
        self.controller.say(text + ".")
