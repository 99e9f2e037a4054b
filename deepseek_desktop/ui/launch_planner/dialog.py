"""Run a model too big for this computer on the user's own GPUs or cluster: the hardware form, the launch
plan per engine (SGLang, vLLM, llama.cpp RPC) with the commands per node, and Connect, which adds the
server as an endpoint, keeps its key in the keyring, tests it (GET /v1/models) and switches the chat to it.

The planning itself is the Qt-free ``models.launch_plan``; it runs on a worker thread because it reads its
rule files."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.model_choice import ModelChoice
from ...core.vocabulary import Engine, LaunchEngine
from ...models.launch.plan import load_engines
from ..background import BackgroundWork
from ..error_text import describe
from ..screen_fit import ScreenFit
from .plan_view import EnginePlanView

log = logging.getLogger(__name__)
GIB = 1024**3
ENGINES = tuple(LaunchEngine)
VENDORS = ("nvidia", "amd", "apple", "cpu")


class LaunchPlannerDialog(QDialog):
    """Made and reused by the main window's ``OtherWindows`` (``MainWindow.open_launch_planner``)."""

    switchRequested = Signal(object)  # ModelChoice: the chat should use the connected server
    settingsRequested = Signal(str)  # the settings page to show ("remote": DeepSeek's API)

    def __init__(self, services, catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("launchPlanner")
        self.services = services
        self.catalogue = catalogue
        self.presets: list[dict] = []
        self.plans: dict[str, object] = {}
        self._generation = 0
        self.work = BackgroundWork(self)  # what the planner starts; a failure is the status line
        self._pending: ModelChoice | None = None
        self._engine_names = {e: rules["name"] for e, rules in load_engines()["engines"].items()}  # before a plan
        self.screen_fit = ScreenFit(self, QSize(980, 720))
        self.setMinimumSize(760, 540)

        self.model_box = QComboBox(self)
        self.precision_box = QComboBox(self)
        self.preset_box = QComboBox(self)
        self.nodes = QSpinBox(self)
        self.nodes.setRange(1, 64)
        self.gpus = QSpinBox(self)
        self.gpus.setRange(1, 16)
        self.gpus.setValue(8)
        self.memory = QSpinBox(self)
        self.memory.setRange(1, 4096)
        self.memory.setValue(80)
        self.memory.setSuffix(" GB")
        self.ram = QSpinBox(self)  # system RAM per machine, for the experts-in-RAM route (0: not given)
        self.ram.setRange(0, 65536)
        self.ram.setSingleStep(64)
        self.ram.setSuffix(" GB")
        self.arch = ""  # the GPU generation of the chosen preset ("" for the user's own values)
        self.vendor = QComboBox(self)
        for v in VENDORS:
            self.vendor.addItem("", v)
        self.ctx = QSpinBox(self)
        self.ctx.setRange(2048, 131072)
        self.ctx.setSingleStep(4096)
        self.ctx.setValue(32768)
        self.hosts = QLineEdit(self)
        self.hosts.setPlaceholderText("10.0.0.1, 10.0.0.2")

        self.hardware_box = QGroupBox(self)
        grid = QGridLayout(self.hardware_box)
        self.labels = {k: QLabel(self.hardware_box) for k in
                       ("model", "precision", "preset", "nodes", "gpus", "memory", "vendor", "ctx", "hosts", "ram")}
        cells = [("model", self.model_box, 0, 0, 1), ("precision", self.precision_box, 0, 2, 1),
                 ("ctx", self.ctx, 0, 4, 1), ("preset", self.preset_box, 1, 0, 3), ("vendor", self.vendor, 1, 4, 1),
                 ("nodes", self.nodes, 2, 0, 1), ("gpus", self.gpus, 2, 2, 1), ("memory", self.memory, 2, 4, 1),
                 ("ram", self.ram, 3, 0, 1), ("hosts", self.hosts, 3, 2, 3)]
        for key, widget, row, col, span in cells:
            grid.addWidget(self.labels[key], row, col)
            grid.addWidget(widget, row, col + 1, 1, span)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)

        self.tabs = QTabWidget(self)
        self.views = {e: EnginePlanView(self) for e in ENGINES}
        for e in ENGINES:
            self.tabs.addTab(self.views[e], "")

        self.connect_box = QGroupBox(self)
        self.endpoint_name = QLineEdit(self.connect_box)
        self.base_url = QLineEdit(self.connect_box)
        self.model_name = QLineEdit(self.connect_box)
        self.api_key = QLineEdit(self.connect_box)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.connect_button = QPushButton(self.connect_box)
        self.connect_button.setObjectName("primaryButton")
        self.connect_button.clicked.connect(self.connect_endpoint)
        self.api_button = QPushButton(self.connect_box)
        self.api_button.clicked.connect(self.open_api_settings)
        self.status = QLabel(self.connect_box)
        self.status.setWordWrap(True)
        self.work.failed.connect(self.status.setText)
        form = QGridLayout()
        self.connect_labels = {k: QLabel(self.connect_box) for k in ("name", "url", "model", "key")}
        for key, widget, row, col in (("name", self.endpoint_name, 0, 0), ("url", self.base_url, 0, 2),
                                      ("model", self.model_name, 1, 0), ("key", self.api_key, 1, 2)):
            form.addWidget(self.connect_labels[key], row, col)
            form.addWidget(widget, row, col + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.status, 1)
        buttons_row.addWidget(self.api_button)
        buttons_row.addWidget(self.connect_button)
        connect_layout = QVBoxLayout(self.connect_box)
        connect_layout.addLayout(form)
        connect_layout.addLayout(buttons_row)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hardware_box)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.connect_box)
        layout.addWidget(close)

        self.preset_box.activated.connect(self._apply_preset)
        self.model_box.activated.connect(self._model_changed)
        for w in (self.precision_box, self.vendor):
            w.activated.connect(self.replan)
        for s in (self.nodes, self.gpus, self.memory, self.ctx, self.ram):
            s.valueChanged.connect(self._hardware_edited)
        self.hosts.editingFinished.connect(self.replan)
        self.tabs.currentChanged.connect(self._fill_connect)
        engine = self.services.engine
        engine.modelLoaded.connect(self._on_loaded)
        engine.loadFailed.connect(self._on_failed)
        self.retranslate()

    # -- inputs ---------------------------------------------------------------------------------
    def set_catalogue(self, catalogue, model_id: str | None) -> None:
        self.catalogue = catalogue
        self.model_box.clear()
        big = sorted(catalogue.models, key=lambda m: -m.params_total)
        for m in big:
            self.model_box.addItem(m.name, m.id)
        wanted = model_id or (big[0].id if big else None)
        index = self.model_box.findData(wanted)
        self.model_box.setCurrentIndex(max(0, index))
        if not self.presets:
            self._spawn(self._load_presets())
        self._model_changed()

    async def _load_presets(self) -> None:
        from ...models.launch.cluster import load_presets

        self.presets = await asyncio.to_thread(load_presets)
        self.retranslate()

    def _model_changed(self, *_args) -> None:
        model = self.current_model()
        self.precision_box.clear()
        self.precision_box.addItem("", "")  # automatic: FP8 for SGLang/vLLM, the largest GGUF that fits
        engines = load_engines()["precisions"]
        published = [p for p, r in engines.items() if model and ("repos" not in r or model.id in r["repos"])]
        mlx = ["MLX"] if model and model.mlx else []
        for p in (*published, *mlx, *(model.quants() if model else ())):
            self.precision_box.addItem(p, p)
        self._retranslate_precision()
        if model is not None:
            self.ctx.setMaximum(model.context_length)
        self.replan()

    def current_model(self):
        model_id = self.model_box.currentData()
        return self.catalogue.get(model_id) if self.catalogue and model_id else None

    def _apply_preset(self, index: int) -> None:
        preset_id = self.preset_box.itemData(index)
        preset = next((p for p in self.presets if p["id"] == preset_id), None)
        if preset is None:
            return
        for spin, value in ((self.nodes, preset["nodes"]), (self.gpus, preset["gpus_per_node"]),
                            (self.memory, round(float(preset["gpu_memory_gb"]))),
                            (self.ram, round(float(preset.get("ram_gb", 0))))):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        self.vendor.blockSignals(True)
        self.vendor.setCurrentIndex(max(0, self.vendor.findData(preset["vendor"])))
        self.vendor.blockSignals(False)
        self.arch = preset.get("arch", "")
        self.replan()

    def _hardware_edited(self, *_args) -> None:
        self.arch = ""
        self.preset_box.setCurrentIndex(0)  # the values are the user's own now
        self.replan()

    def hardware(self):
        from ...models.launch.cluster import ClusterHardware

        hosts = tuple(h.strip() for h in self.hosts.text().replace(";", ",").split(",") if h.strip())
        vendor = self.vendor.currentData()
        return ClusterHardware(self.nodes.value(), self.gpus.value(), self.memory.value() * GIB, vendor, hosts,
                               self.arch or ("apple" if vendor == "apple" else ""), self.ram.value() * GIB)

    # -- planning -------------------------------------------------------------------------------
    def replan(self, *_args) -> None:
        model = self.current_model()
        if model is None:
            return
        self._generation += 1
        spec = model.id + (f":{self.precision_box.currentData()}" if self.precision_box.currentData() else "")
        self._spawn(self._plan(self._generation, spec, self.hardware(), self.ctx.value()))

    async def _plan(self, generation: int, spec: str, hw, ctx: int) -> None:
        from ...models.launch.plan import plan_launch

        try:
            plans = await asyncio.to_thread(plan_launch, self.catalogue, spec, hw, ctx=ctx)
        except Exception as exc:  # noqa: BLE001 - a damaged rule file must not take the dialog down
            log.exception("launch plan for %s failed", spec)
            if generation == self._generation:
                self.status.setText(describe(exc))
            return
        if generation != self._generation:
            return  # the user changed the inputs meanwhile
        self.plans = {p.engine: p for p in plans}
        for e, plan in self.plans.items():
            self.views[e].set_plan(plan)
        self._retranslate_tabs()
        best = next((e for e in ENGINES if self.plans[e].fits), None)
        if best is not None and not self.plans[self.current_engine()].fits:
            self.tabs.setCurrentIndex(ENGINES.index(best))
        self._fill_connect()

    def current_engine(self) -> str:
        return ENGINES[max(0, self.tabs.currentIndex())]

    def _fill_connect(self, *_args) -> None:
        plan = self.plans.get(self.current_engine())
        if plan is None or not plan.base_url:
            return
        self.base_url.setText(plan.base_url)
        self.model_name.setText(plan.served_name)
        model = self.current_model()
        self.endpoint_name.setText(self.tr("{model} on my cluster").format(model=model.name if model else ""))

    # -- connect --------------------------------------------------------------------------------
    def connect_endpoint(self) -> None:
        name = self.endpoint_name.text().strip()
        url, model, key = self.base_url.text().strip(), self.model_name.text().strip(), self.api_key.text().strip()
        if not name or not url:
            self.status.setText(self.tr("Give the server a name and its address."))
            return
        settings = self.services.settings
        endpoints = [ep for ep in settings.get("remote.endpoints") or [] if ep.get("name") != name]
        endpoints.append({"name": name, "base_url": url, "model": model})
        try:
            settings.set("remote.endpoints", endpoints)
        except Exception as exc:  # noqa: BLE001 - SettingsError: a bad address; the text says which
            self.status.setText(describe(exc))
            return
        self.status.setText(self.tr("Testing {url}…").format(url=url))
        self.connect_button.setEnabled(False)
        label = f"{name} · {model}" if model else name
        self._pending = ModelChoice(Engine.REMOTE, model, label, base_url=url, endpoint=name)
        self._spawn(self._store_key_and_switch(name, key, self._pending))

    async def _store_key_and_switch(self, name: str, key: str, choice: ModelChoice) -> None:
        if key:
            secrets = await asyncio.to_thread(self.services.secrets)
            await asyncio.to_thread(secrets.set, name, key)
            self.api_key.clear()
        self.switchRequested.emit(choice)

    def _on_loaded(self, choice, info: dict) -> None:
        if self._pending is None or choice.key != self._pending.key:
            return
        self._pending = None
        self.connect_button.setEnabled(True)
        self.status.setText(self.tr("Connected: the chat now uses {model} on {url} ({count} models listed).").format(
            model=info.get("name", choice.model), url=choice.base_url, count=len(info.get("models") or [])))

    def _on_failed(self, choice, error) -> None:
        if self._pending is None or choice.key != self._pending.key:
            return
        self._pending = None
        self.connect_button.setEnabled(True)
        self.status.setText(describe(error))

    def open_api_settings(self) -> None:
        self.settingsRequested.emit("remote")

    def _spawn(self, coro) -> None:
        self.work.run(coro)

    # -- texts ----------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _retranslate_precision(self) -> None:
        if self.precision_box.count():
            self.precision_box.setItemText(0, self.tr("Automatic"))

    def _retranslate_tabs(self) -> None:
        for i, e in enumerate(ENGINES):
            plan = self.plans.get(e)
            name = plan.name if plan else self._engine_names[e]
            mark = "" if plan is None else " ✓" if plan.fits else " ✗"
            self.tabs.setTabText(i, name + mark)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Run on your own GPUs"))
        self.hardware_box.setTitle(self.tr("Model and hardware"))
        texts = {"model": self.tr("Model"), "precision": self.tr("Precision"), "preset": self.tr("Preset"),
                 "nodes": self.tr("Machines"), "gpus": self.tr("GPUs each"), "memory": self.tr("Memory per GPU"),
                 "vendor": self.tr("GPU maker"), "ctx": self.tr("Context"), "hosts": self.tr("Addresses"),
                 "ram": self.tr("RAM each")}
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.hosts.setToolTip(self.tr("The machines' network addresses, the head first, separated by commas"))
        vendor_names = {"nvidia": "NVIDIA", "amd": "AMD", "apple": self.tr("Apple (Mac)"),
                        "cpu": self.tr("CPU only")}
        for i in range(self.vendor.count()):
            self.vendor.setItemText(i, vendor_names[self.vendor.itemData(i)])
        current = self.preset_box.currentData()
        self.preset_box.clear()
        self.preset_box.addItem(self.tr("Your own"), "")
        for p in self.presets:
            name = (self.tr("{nodes} machines × {gpus} × {gpu}") if p["nodes"] > 1 else self.tr("{gpus} × {gpu}"))
            self.preset_box.addItem(name.format(nodes=p["nodes"], gpus=p["gpus_per_node"], gpu=p["gpu"]), p["id"])
        self.preset_box.setCurrentIndex(max(0, self.preset_box.findData(current)))
        self._retranslate_precision()
        self._retranslate_tabs()
        self.connect_box.setTitle(self.tr("Connect the app to the server"))
        for key, text in {"name": self.tr("Name"), "url": self.tr("Address"), "model": self.tr("Model name"),
                          "key": self.tr("API key")}.items():
            self.connect_labels[key].setText(text)
        self.api_key.setPlaceholderText(self.tr("optional, kept in the system keyring"))
        self.connect_button.setText(self.tr("Connect"))
        self.api_button.setText(self.tr("Use DeepSeek's API…"))
