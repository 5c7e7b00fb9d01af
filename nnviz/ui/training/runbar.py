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

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QStyle, QToolBar, QToolButton, QWidget


def _named(widget, name: str, tip: str):
    widget.setObjectName(name)
    widget.setToolTip(tip)
    return widget


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
        self.epoch_label = _named(QLabel("Epoch 0"), "trainBarEpoch", "Epochs trained so far")
        font = self.epoch_label.font()
        font.setBold(True)
        self.epoch_label.setFont(font)
        # room for "Epoch 9999 · step 99/99" without the bar jumping as it counts
        self.epoch_label.setMinimumWidth(
            self.epoch_label.fontMetrics().horizontalAdvance("Epoch 9999 · step 99/99") + 8
        )
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
        self.play_button.setText("Pause" if playing else "Play")
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
