"""The training panel (objectName ``trainingPanel``): run controls, data, features, optimiser.

Every control goes through the :class:`TrainingController`; the controls show
the document's training settings and refresh when they change (an undo, a file
opened). A value the core refuses is one sentence in the panel and changes nothing.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from nnviz.core import datasets, features, optim
from nnviz.ui.training.controller import DEFAULT_SPEED, SPEEDS
from nnviz.ui.training.runbar import CounterLabel, epoch_text

#: TFP's learning rates, and its regularisation rates
LEARNING_RATES = (
    "0.00001",
    "0.0001",
    "0.001",
    "0.003",
    "0.01",
    "0.03",
    "0.1",
    "0.3",
    "1",
    "3",
    "10",
)
REG_RATES = ("0", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10")
OPTIMIZER_TEXT = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam"}
REG_TEXT = {"none": "None", "l1": "L1", "l2": "L2"}
FEATURE_TEXT = features.LABELS


def _tip(widget, text: str, name: str):
    widget.setObjectName(name)
    widget.setToolTip(text)
    return widget


class _WheelOnlyWhenFocused(QObject):
    """Wheel events reach a spin box or combo box only while it has the focus;
    otherwise they go to the scroll area around the panel."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = watched.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:  # the scroll area the panel sits in scrolls instead
            QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        return True


class TrainingPanel(QWidget):
    """Play/pause, step, epoch, reset, stop after N, speed; dataset; features; optimiser."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.setToolTip("Train the network on points of the plane")
        self.controller = controller
        self._syncing = False

        # ------------------------------------------------------- run controls
        self.play_button = _tip(
            QPushButton("Play"), "Train continuously, or pause (Ctrl+T)", "trainPlayButton"
        )
        self.play_button.setCheckable(True)
        self.play_button.clicked.connect(self._on_play_clicked)
        self.step_button = _tip(
            QPushButton("Step"), "Train on one batch, then pause", "trainStepButton"
        )
        self.step_button.clicked.connect(controller.step_once)
        self.epoch_button = _tip(
            QPushButton("Epoch"), "Train until the current epoch ends", "trainEpochButton"
        )
        self.epoch_button.clicked.connect(controller.epoch_once)
        self.reset_button = _tip(
            QPushButton("Reset"),
            "Back to epoch 0: weights drawn again from the file's seed, the same batches",
            "trainResetButton",
        )
        self.reset_button.clicked.connect(controller.reset)
        self.epoch_label = _tip(CounterLabel("Epoch 0"), "Epochs trained so far", "epochCounter")
        font = self.epoch_label.font()
        font.setBold(True)
        self.epoch_label.setFont(font)
        self.stop_spin = _tip(
            QSpinBox(), "Pause when the epoch counter reaches this (0: never)", "stopAfterSpin"
        )
        self.stop_spin.setRange(0, 1_000_000)
        self.stop_spin.setSpecialValueText("never")
        self.stop_spin.valueChanged.connect(self._on_stop_changed)
        self.speed_combo = _tip(
            QComboBox(),
            "How much to train between two pictures (as fast as possible: the display shows "
            "the latest weights 60 times a second)",
            "trainSpeedCombo",
        )
        for label, _, _ in SPEEDS:
            self.speed_combo.addItem(label)
        self.speed_combo.setCurrentIndex(DEFAULT_SPEED)
        self.speed_combo.currentIndexChanged.connect(controller.set_speed)

        #: play, step, epoch, reset and the counter (hidden where the window's training
        #: toolbar holds them: a small window)
        self.run_controls = _tip(QWidget(), "Run the training", "trainingRunControls")
        buttons = QGridLayout(self.run_controls)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.play_button, 0, 0)
        buttons.addWidget(self.step_button, 0, 1)
        buttons.addWidget(self.epoch_button, 0, 2)
        buttons.addWidget(self.reset_button, 0, 3)
        run = QGridLayout()
        run.addWidget(self.run_controls, 0, 0, 1, 4)
        run.addWidget(self.epoch_label, 1, 0)
        stop_row = QHBoxLayout()
        stop_row.addWidget(QLabel("Stop at epoch"))
        stop_row.addWidget(self.stop_spin)
        run.addLayout(stop_row, 1, 1, 1, 3)
        run.addWidget(self.speed_combo, 2, 0, 1, 4)

        # ------------------------------------------------ divergence, messages
        self.message_label = _tip(QLabel(), "What training just said", "trainingMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restore_button = _tip(
            QPushButton("Go back to the last finite weights"),
            "Undo the step that diverged: the weights whose loss was finite, a fresh optimiser",
            "restoreFiniteButton",
        )
        self.restore_button.clicked.connect(controller.restore_last_finite)
        self.restore_button.hide()

        # ------------------------------------------------------------- data
        self.kind_combo = _tip(
            QComboBox(), "Which dataset (TensorFlow Playground's)", "datasetKind"
        )
        for k in datasets.GENERATORS:
            self.kind_combo.addItem(datasets.TITLES.get(k, k), k)
        self.kind_combo.addItem("Points (CSV, clicked)", "points")
        self.kind_combo.activated.connect(self._on_kind)
        self.noise_spin = _tip(QSpinBox(), "Noise: 0 to 50 %", "datasetNoise")
        self.noise_spin.setRange(0, 50)
        self.noise_spin.setSuffix(" %")
        self.noise_spin.editingFinished.connect(self._on_noise)
        self.count_spin = _tip(QSpinBox(), "How many points (50 to 1,200)", "datasetCount")
        self.count_spin.setRange(datasets.MIN_COUNT, datasets.MAX_COUNT)
        self.count_spin.setSingleStep(50)
        self.count_spin.editingFinished.connect(self._on_count)
        self.split_spin = _tip(
            QSpinBox(), "Share of the points that train; the rest test", "trainSplit"
        )
        self.split_spin.setRange(10, 100)
        self.split_spin.setSuffix(" % train")
        self.split_spin.editingFinished.connect(self._on_split)
        self.regen_button = _tip(
            QPushButton("Regenerate"), "New points from the next seed", "regenerateButton"
        )
        self.regen_button.clicked.connect(self._on_regenerate)
        self.csv_button = _tip(
            QPushButton("Load CSV…"),
            "Points from a CSV file: x1, x2, label on each line (an undo step)",
            "loadCsvButton",
        )
        self.csv_button.clicked.connect(self.load_csv_dialog)
        data = QFormLayout()
        data.addRow("Dataset", self.kind_combo)
        data.addRow("Noise", self.noise_spin)
        data.addRow("Points", self.count_spin)
        data.addRow("Split", self.split_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.regen_button)
        buttons.addWidget(self.csv_button)
        data.addRow(buttons)
        data_box = QGroupBox("Data")
        data_box.setLayout(data)

        # --------------------------------------------------------- features
        self.feature_boxes: dict[str, QCheckBox] = {}
        feat = QGridLayout()
        for k, name in enumerate(features.NAMES):
            box = _tip(
                QCheckBox(FEATURE_TEXT[name]),
                f"Use {name} as an input of the network (the input layer follows; undoable)",
                f"feature_{name}",
            )
            box.toggled.connect(self._on_feature)
            self.feature_boxes[name] = box
            feat.addWidget(box, k // 4, k % 4)
        feat_box = QGroupBox("Input features")
        feat_box.setLayout(feat)

        # --------------------------------------------------------- optimiser
        self.optimizer_combo = _tip(
            QComboBox(), "The optimiser (PyTorch's forms)", "optimizerCombo"
        )
        for k in optim.OPTIMIZERS:
            self.optimizer_combo.addItem(OPTIMIZER_TEXT.get(k, k), k)
        self.optimizer_combo.activated.connect(self._on_optimizer)
        self.lr_combo = _tip(
            QComboBox(),
            "Learning rate η (type any positive number); also used by Apply update",
            "learningRateCombo",
        )
        self.lr_combo.setEditable(True)
        self.lr_combo.addItems(LEARNING_RATES)
        self.lr_combo.activated.connect(self._on_lr)
        self.lr_combo.lineEdit().editingFinished.connect(self._on_lr)
        self.batch_spin = _tip(QSpinBox(), "Points per step (batch size)", "batchSizeSpin")
        self.batch_spin.setRange(1, 1000)
        self.batch_spin.editingFinished.connect(self._on_batch)
        self.reg_combo = _tip(
            QComboBox(),
            "Regularisation of the weights (not the biases): L2 adds λ·w, L1 adds λ·sign(w)",
            "regularizationCombo",
        )
        for k in optim.REGULARIZATIONS:
            self.reg_combo.addItem(REG_TEXT.get(k, k), k)
        self.reg_combo.activated.connect(self._on_reg)
        self.reg_rate_combo = _tip(
            QComboBox(), "Regularisation rate λ (type any number ≥ 0)", "regularizationRateCombo"
        )
        self.reg_rate_combo.setEditable(True)
        self.reg_rate_combo.addItems(REG_RATES)
        self.reg_rate_combo.activated.connect(self._on_reg_rate)
        self.reg_rate_combo.lineEdit().editingFinished.connect(self._on_reg_rate)
        opt = QFormLayout()
        opt.addRow("Optimiser", self.optimizer_combo)
        opt.addRow("Learning rate", self.lr_combo)
        opt.addRow("Batch size", self.batch_spin)
        opt.addRow("Regularisation", self.reg_combo)
        opt.addRow("Rate λ", self.reg_rate_combo)
        opt_box = QGroupBox("Optimiser")
        opt_box.setLayout(opt)

        # narrow enough for a 1024-pixel screen's left column (about 280 pixels)
        for b in (self.play_button, self.step_button, self.epoch_button, self.reset_button):
            b.setMinimumWidth(48)
        for c in (
            self.speed_combo,
            self.kind_combo,
            self.optimizer_combo,
            self.lr_combo,
            self.reg_combo,
            self.reg_rate_combo,
        ):
            c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(7)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(run)
        lay.addWidget(self.message_label)
        lay.addWidget(self.restore_button)
        lay.addWidget(data_box)
        lay.addWidget(feat_box)
        lay.addWidget(opt_box)
        lay.addStretch(1)

        controller.state_changed.connect(self.sync)
        controller.shown.connect(self._sync_epoch)
        controller.message.connect(self.show_message)
        controller.state_changed.connect(self._clear_stale_error)
        controller.diverged.connect(self._on_diverged)
        controller.document.training_changed.connect(self.sync)
        controller.document.results_changed.connect(self._on_network_changed)
        # the panel scrolls: a wheel turned over a field scrolls it, and changes a
        # setting only in the field being edited (QA: it changed the learning rate)
        self._wheel_guard = _WheelOnlyWhenFocused(self)
        for box in self.findChildren(QAbstractSpinBox) + self.findChildren(QComboBox):
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            box.installEventFilter(self._wheel_guard)
        self.sync()

    # ----------------------------------------------------------- showing
    def _on_network_changed(self, _change=None) -> None:
        if not self.controller.publishing:  # weights shown while training: only the counter
            self.sync()

    #: the message under the run controls is an error (cleared when training runs again)
    _error_shown = False

    def show_message(self, text: str, error: bool = False) -> None:
        self._error_shown = bool(text) and error
        self.message_label.setText(text)
        self.message_label.setStyleSheet("color: #cc3311; font-weight: bold;" if error else "")

    def _clear_stale_error(self) -> None:
        """An error about a setting is old news once training runs again (QA: "Infinity is
        not a finite number" stayed red while a later run trained fine)."""
        if self._error_shown and self.controller.playing:
            self.show_message("")

    def _on_diverged(self, div) -> None:
        self.restore_button.show()

    def _sync_epoch(self) -> None:
        self.epoch_label.setText(epoch_text(self.controller.trainer))

    def sync(self) -> None:
        """Show the controller's settings and state (signals of the controls blocked)."""
        ctrl = self.controller
        self._syncing = True
        try:
            playing = ctrl.playing
            self.stop_spin.blockSignals(True)
            self.stop_spin.setValue(ctrl.stop_at)  # a new run past the old limit clears it
            self.stop_spin.blockSignals(False)
            self.speed_combo.blockSignals(True)
            self.speed_combo.setCurrentIndex(ctrl.speed)  # set from code too: one truth
            self.speed_combo.blockSignals(False)
            self.play_button.setChecked(playing)
            self.play_button.setText("Pause" if playing else "Play")
            sp = QStyle.StandardPixmap
            pixmap = sp.SP_MediaPause if playing else sp.SP_MediaPlay
            self.play_button.setIcon(self.style().standardIcon(pixmap))
            spec = ctrl.spec
            usable = spec is not None
            for w in (self.step_button, self.epoch_button, self.reset_button, self.play_button):
                w.setEnabled(usable)
            self.restore_button.setVisible(ctrl.divergence is not None)
            if ctrl.divergence is None and self.restore_button.isVisible():
                self.restore_button.hide()
            if spec is None:
                self.show_message(ctrl.trainer_error, True)
                return
            ds = spec.dataset
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(ds.kind))
            self.noise_spin.setValue(round(ds.noise * 100))
            self.count_spin.setValue(min(max(spec.count, datasets.MIN_COUNT), datasets.MAX_COUNT))
            self.count_spin.setEnabled(ds.kind != "points")
            self.noise_spin.setEnabled(ds.kind != "points")
            self.regen_button.setEnabled(ds.kind != "points")
            self.split_spin.setValue(round(spec.train_fraction * 100))
            for name, box in self.feature_boxes.items():
                box.setChecked(name in spec.features)
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(spec.optimizer))
            self.lr_combo.setEditText(f"{spec.learning_rate:g}")
            self.batch_spin.setValue(min(spec.batch_size, self.batch_spin.maximum()))
            self.reg_combo.setCurrentIndex(self.reg_combo.findData(spec.regularization))
            self.reg_rate_combo.setEditText(f"{spec.regularization_rate:g}")
            self._sync_epoch()
        finally:
            self._syncing = False

    # ----------------------------------------------------------- editing
    def _on_play_clicked(self) -> None:
        self.controller.toggle()
        self.sync()

    def _on_stop_changed(self, v: int) -> None:
        self.controller.stop_at = int(v)

    def _change(self, **changes) -> None:
        if self._syncing:
            return
        if self.controller.change_settings(**changes):
            self.show_message("")
        self.sync()

    def _number(self, text: str, what: str) -> float | None:
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            value = math.nan
        if math.isinf(value):  # 1e400: a number, but beyond what a float holds
            self.show_message(f"{what} {text.strip()!r} is too large to use", True)
        elif math.isnan(value):
            self.show_message(f"{what} must be a number, not {text.strip()!r}", True)
        else:
            return value
        self.sync()
        return None

    def _on_optimizer(self) -> None:
        self._change(optimizer=self.optimizer_combo.currentData())

    def _on_lr(self) -> None:
        if self._syncing:
            return
        v = self._number(self.lr_combo.currentText(), "the learning rate")
        if v is not None and v != self.controller.spec.learning_rate:
            self._change(learning_rate=v)

    def _on_batch(self) -> None:
        if self.batch_spin.value() != self.controller.spec.batch_size:
            self._change(batch_size=self.batch_spin.value())

    def _on_reg(self) -> None:
        self._change(regularization=self.reg_combo.currentData())

    def _on_reg_rate(self) -> None:
        if self._syncing:
            return
        v = self._number(self.reg_rate_combo.currentText(), "the regularisation rate")
        if v is not None and v != self.controller.spec.regularization_rate:
            self._change(regularization_rate=v)

    def _on_split(self) -> None:
        v = self.split_spin.value() / 100
        if not self._syncing and v != self.controller.spec.train_fraction:
            self._change(train_fraction=v)

    def _data(self, undo_text: str = "", **changes) -> None:
        if self._syncing:
            return
        if self.controller.change_dataset(undo_text, **changes):
            self.show_message("")
        self.sync()

    def _on_kind(self) -> None:
        kind = self.kind_combo.currentData()
        spec = self.controller.spec
        if spec is None or kind == spec.dataset.kind:
            return
        if kind == "points":  # the current points, editable
            self._data("Dataset: points", points=self.controller.data_rows())
        else:
            count = spec.dataset.count if spec.dataset.kind != "points" else 500
            count = min(max(count, datasets.MIN_COUNT), datasets.MAX_COUNT)
            self._data(kind=kind, count=count)

    def _on_noise(self) -> None:
        v = self.noise_spin.value() / 100
        if v != self.controller.spec.dataset.noise:
            self._data(noise=v)

    def _on_count(self) -> None:
        if self.count_spin.value() != self.controller.spec.count:
            self._data(count=self.count_spin.value())

    def _on_regenerate(self) -> None:
        spec = self.controller.spec
        if spec is not None:
            self._data(seed=(spec.dataset.seed + 1) % (2**63))

    def _on_feature(self) -> None:
        if self._syncing:
            return
        names = [n for n, box in self.feature_boxes.items() if box.isChecked()]
        if not self.controller.set_features(names):
            self.sync()

    def load_csv(self, path: str | Path) -> bool:
        """Points from a CSV file (one undo step); a bad file: one sentence, nothing changes."""
        try:
            rows = datasets.read_csv(path)
        except (datasets.DatasetError, OSError) as e:
            msg = str(e) if isinstance(e, datasets.DatasetError) else f"{path}: {e.strerror or e}"
            self.show_message(msg, True)
            return False
        ok = self.controller.change_dataset(f"Load {Path(path).name}", points=rows)
        if ok:
            self.show_message(f"Loaded {len(rows)} points from {Path(path).name}.")
        self.sync()
        return ok

    def load_csv_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self, "Load points", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        if path:
            self.load_csv(path)
