"""The training toolbar (``trainingToolbar``): the run controls in one row.

In a small window (the compact arrangement, see :func:`nnviz.ui.training.arrange`)
the training panel is a tab of the right column and its run controls move here,
above the canvas, so that play, step, epoch, reset and the epoch counter are
always in sight (a row as low as the main toolbar: at 1024×768 every pixel of
height counts). The bar has no state of its own: every
control goes through the :class:`TrainingController` and shows what the
controller holds (a change made from code shows here too).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QStyle, QToolBar, QToolButton, QWidget


def _named(widget, name: str, tip: str):
    widget.setObjectName(name)
    widget.setToolTip(tip)
    return widget


class CounterLabel(QLabel):
    """The epoch counter: a label of fixed size that grows (only) when a text needs more
    room. A label whose text changes asks its layout, the dock and the main window to lay
    out again on every training frame; at a fixed size it only repaints itself, and the
    whole number is always shown (QA: "Epoch 11" at epoch 115, cut to the old width)."""

    def __init__(self, text: str, sample: str = "") -> None:
        super().__init__(text)
        self._sample = sample

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        fm = self.fontMetrics()
        m = self.contentsMargins()
        need_w = max(fm.horizontalAdvance(t) for t in (text, self._sample)) + m.left()
        need_w += m.right() + 2 * self.margin() + 4
        need_h = fm.height() + m.top() + m.bottom() + 2 * self.margin()
        if self.minimumWidth() != self.maximumWidth() or need_w > self.width():
            self.setFixedWidth(max(need_w, self.minimumWidth()))
        if self.minimumHeight() != self.maximumHeight() or need_h > self.height():
            self.setFixedHeight(need_h)
        super().setText(text)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the text scale: measured again
            self.setMinimumSize(0, 0)
            self.setMaximumSize(16777215, 16777215)
            self.setText(self.text())


class RunBar(QToolBar):
    """Play/pause, step, epoch, reset and "Epoch N · step k/n" in one row, as low as the
    main toolbar (the speed and the stop epoch stay in the Training tab)."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.setObjectName("trainingToolbar")
        self.setToolTip("Run the training (the rest of its settings: the Training tab)")
        self.setMovable(False)
        self.controller = controller
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(14, 14))

        def button(name: str, text: str, tip: str, slot, icon=None) -> QToolButton:
            b = _named(QToolButton(), name, tip)
            b.setText(text)
            if icon is not None:
                b.setIcon(self.style().standardIcon(icon))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.clicked.connect(slot)
            self.addWidget(b)
            return b

        sp = QStyle.StandardPixmap
        self.play_button = button(
            "trainBarPlayButton",
            "Play",
            "Train continuously, or pause (Ctrl+T)",
            controller.toggle,
            sp.SP_MediaPlay,
        )
        self.play_button.setCheckable(True)
        self.step_button = button(
            "trainBarStepButton",
            "Step",
            "Train on one batch, then pause (Ctrl+Shift+T)",
            controller.step_once,
        )
        self.epoch_button = button(
            "trainBarEpochButton",
            "Epoch",
            "Train until the current epoch ends (Ctrl+E)",
            controller.epoch_once,
        )
        self.reset_button = button(
            "trainBarResetButton",
            "Reset",
            "Back to epoch 0: weights drawn again from the file's seed (Ctrl+Shift+R)",
            controller.reset,
        )
        self.addSeparator()
        # room for "Epoch 9999 · step 99/99" without the bar jumping as it counts
        self.epoch_label = _named(
            CounterLabel("Epoch 0", "Epoch 9999 · step 99/99"),
            "trainBarEpoch",
            "Epochs trained so far",
        )
        font = self.epoch_label.font()
        font.setBold(True)
        self.epoch_label.setFont(font)
        self.addWidget(self.epoch_label)
        controller.state_changed.connect(self.sync)
        controller.shown.connect(self._sync_epoch)
        controller.document.training_changed.connect(self.sync)
        self.sync()

    def _sync_epoch(self) -> None:
        self.epoch_label.setText(epoch_text(self.controller.trainer))

    def sync(self) -> None:
        """Show the controller's state (the controls' signals blocked)."""
        ctrl = self.controller
        playing = ctrl.playing
        self.play_button.setChecked(playing)
        text = "Pause" if playing else "Play"
        if self.play_button.text() != text:  # (a new text lays the window out again)
            self.play_button.setText(text)
            sp = QStyle.StandardPixmap
            self.play_button.setIcon(
                self.style().standardIcon(sp.SP_MediaPause if playing else sp.SP_MediaPlay)
            )
        usable = ctrl.spec is not None
        for w in (self.play_button, self.step_button, self.epoch_button, self.reset_button):
            w.setEnabled(usable)
        self._sync_epoch()


def epoch_text(trainer) -> str:
    """ "Epoch 12", "Epoch 12 · step 3/25" inside an epoch, "Epoch –" without a trainer."""
    if trainer is None:
        return "Epoch –"
    text = f"Epoch {trainer.epoch}"
    if trainer.step_in_epoch and trainer._pos < trainer.n_train:
        text += f" · step {trainer.step_in_epoch}/{trainer.batches_per_epoch}"
    return text
