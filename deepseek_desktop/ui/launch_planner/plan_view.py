"""One engine's launch plan on screen: the verdict, what each GPU holds, and the commands per node, each with
a Copy button (the planner dialog shows one of these per engine)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core.vocabulary import LaunchEngine
from ..fit_text import size_text


def suggestion_text(s) -> str:
    if s.kind == "quant":
        return QCoreApplication.translate("LaunchPlan", "the smaller quantisation {quant}").format(quant=s.quant)
    if s.kind == "ctx":
        return QCoreApplication.translate("LaunchPlan", "a context of {ctx} tokens").format(ctx=s.ctx)
    if s.kind == "precision":
        return QCoreApplication.translate("LaunchPlan", "the {precision} weights").format(precision=s.quant)
    if s.kind == "gpus" and s.quant:
        return QCoreApplication.translate("LaunchPlan", "{gpus} GPUs ({nodes} × {per_node}) with {quant}").format(
            gpus=s.nodes * s.gpus_per_node, nodes=s.nodes, per_node=s.gpus_per_node, quant=s.quant)
    if s.kind == "gpus":
        return QCoreApplication.translate("LaunchPlan", "{gpus} GPUs ({nodes} × {per_node})").format(
            gpus=s.nodes * s.gpus_per_node, nodes=s.nodes, per_node=s.gpus_per_node)
    return QCoreApplication.translate("LaunchPlan", "DeepSeek's API (model {model})").format(model=s.api_model)


class CommandBox(QFrame):
    """A heading, the command lines (selectable, monospace) and a Copy button."""

    copied = Signal(str)

    def __init__(self, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.heading = QLabel(heading, self)
        self.heading.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(text)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lines = max(1, text.count("\n") + 1) + text.count(" --") // 4
        self.text.setFixedHeight(min(160, 16 + self.text.fontMetrics().lineSpacing() * (lines + 1)))
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self.copy)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.copy_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 8, 10, 8)
        box.addLayout(top)
        box.addWidget(self.text)
        self.retranslate()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.copied.emit(self.text.toPlainText())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.copy_button.setText(self.tr("Copy"))


class EnginePlanView(QScrollArea):
    """Rebuilt from an EnginePlan (``set_plan``); texts are made in ``retranslate`` from the kept plan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.plan = None
        self.boxes: list[CommandBox] = []
        self._body = QWidget(self)
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(4, 8, 4, 8)
        self.verdict = QLabel(self._body)
        self.verdict.setObjectName("sectionHeading")
        self.verdict.setWordWrap(True)
        self.details = QLabel(self._body)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(self.details.textInteractionFlags()
                                             | self.details.textInteractionFlags().TextSelectableByMouse)
        self._layout.addWidget(self.verdict)
        self._layout.addWidget(self.details)
        self._layout.addStretch(1)
        self.setWidget(self._body)

    def set_plan(self, plan) -> None:
        self.plan = plan
        self.retranslate()

    def _clear_boxes(self) -> None:
        for box in self.boxes:
            self._layout.removeWidget(box)
            box.deleteLater()
        self.boxes = []

    def _add_box(self, heading: str, text: str) -> None:
        box = CommandBox(heading, text, self._body)
        self._layout.insertWidget(self._layout.count() - 1, box)
        self.boxes.append(box)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self._clear_boxes()
        plan = self.plan
        if plan is None:
            self.verdict.setText(self.tr("Planning…"))
            self.details.clear()
            return
        if plan.verdict == "unsupported":
            self.verdict.setText(self.tr("{engine} cannot run {precision} on these devices.").format(
                engine=plan.name, precision=plan.precision))
            reasons = {"vendor": self.tr("It does not run on these devices."),
                       "format": self.tr("It does not read these weights."),
                       "arch": self.tr("These GPUs cannot compute in this format (no FP8 before Ada and Hopper)."),
                       "one_machine": self.tr("This route is for one machine.")}
            lines = [reasons.get(plan.reason, reasons["format"])]
            if plan.suggestions:
                lines.append(self.tr("It would run with {changes}.").format(
                    changes=self.tr(" or ").join(suggestion_text(s) for s in plan.suggestions)))
            self.details.setText("\n".join(lines))
            return
        if plan.fits:
            self.verdict.setText(self.tr("{engine} · {precision}: fits").format(engine=plan.name,
                                                                                precision=plan.precision))
        else:
            self.verdict.setText(self.tr("{engine} · {precision}: does not fit").format(
                engine=plan.name, precision=plan.precision))
        lines = [self._layout_text(plan), self.tr(
            "Each GPU holds {weights} of weights, {kv} of KV cache for {ctx} tokens and {overhead} of working "
            "memory: {need} of {usable} usable.").format(
            weights=size_text(plan.weights_per_gpu), kv=size_text(plan.kv_per_gpu), ctx=plan.ctx,
            overhead=size_text(plan.overhead_per_gpu), need=size_text(plan.need_per_gpu),
            usable=size_text(plan.usable_per_gpu))]
        if plan.engine == LaunchEngine.LLAMACPP_EXPERTS:
            lines.append(self.tr("The routed experts take {ram} of system RAM ({usable} usable).").format(
                ram=size_text(plan.ram_need), usable=size_text(plan.ram_usable)) if plan.ram_usable else self.tr(
                "The routed experts take {ram} of system RAM: give the RAM of the machine.").format(
                ram=size_text(plan.ram_need)))
        if plan.kv_cache == "full" and plan.engine in (LaunchEngine.LLAMACPP, LaunchEngine.LLAMACPP_EXPERTS):
            lines.append(self.tr("These GGUFs predate llama.cpp's MLA cache: it keeps every head's keys and "
                                 "values, 71 times the compressed cache."))
        if not plan.fits:
            if plan.suggestions:
                lines.append(self.tr("It would fit with {changes}.").format(
                    changes=self.tr(" or ").join(suggestion_text(s) for s in plan.suggestions)))
            self.details.setText("\n".join(lines))
            return
        access = {"clients": self.tr("the API, with its key"), "private": self.tr("private network only"),
                  "local": self.tr("this machine only")}
        ports = "; ".join((self.tr("{port} on the head ({access})") if p["role"] == "head"
                           else self.tr("{port} on the workers ({access})")).format(
            port=p["port"], access=access[p["access"]]) for p in plan.ports)
        lines.append(self.tr("Ports: {ports}.").format(ports=ports))
        lines += self._notes(plan)
        lines.append(self.tr("The app connects to {url} with the model name {model}.").format(
            url=plan.base_url, model=plan.served_name))
        self.details.setText("\n".join(lines))
        self._add_box(self.tr("Install {engine}").format(engine=plan.name), plan.install)
        if plan.api_key_setup:
            self._add_box(self.tr("Make the API key (on the head, before the server)"), plan.api_key_setup)
        if plan.download:
            self._add_box(self.tr("Download the weights (on every node)") if plan.download_on == "every"
                          else self.tr("Download the weights (on the head node)"), plan.download)
        for node in plan.nodes:
            heading = (self.tr("{host} (head)") if node["role"] == "head" else self.tr("{host} (worker)")).format(
                host=node["host"])
            self._add_box(heading, "\n".join(node["commands"]))
        purposes = {"dp_attention": self.tr("Optional, for many users at once (data-parallel attention)"),
                    "mtp": self.tr("Optional, faster answers for one user (multi-token prediction)")}
        for option in plan.options:
            self._add_box(purposes.get(option["id"], option["id"]), option["flags"])

    def _notes(self, plan) -> list[str]:
        """What the CLI prints from the engines' notes, in the window's language."""
        multi = len(plan.nodes) > 1
        notes = []
        if any(p["access"] == "private" for p in plan.ports):
            notes.append(self.tr("The traffic between the machines has no authentication and, for Ray, can run "
                                 "code: keep those ports on a private network."))
        if plan.api_key_setup and any(p["access"] == "local" for p in plan.ports):
            notes.append(self.tr("The API listens on this machine only: reach it through an SSH tunnel, or plan "
                                 "with the address it should listen on."))
        if plan.engine == LaunchEngine.MLX:
            notes.append(self.tr("mlx_lm.server has no API key: it listens on 127.0.0.1 only; use an SSH tunnel "
                                 "from another computer."))
        if plan.engine == LaunchEngine.VLLM and multi:
            notes.append(self.tr("pip install vllm does not bring Ray; the install line adds it."))
        if plan.engine == LaunchEngine.LLAMACPP and multi:
            notes.append(self.tr("Older llama.cpp builds and distribution packages call the worker rpc-server; "
                                 "-c keeps the weights it received in a local cache."))
        if plan.download:
            notes.append(self.tr("hf comes with huggingface_hub 1.x; the older huggingface-cli is gone."))
        return notes

    def _layout_text(self, plan) -> str:
        if plan.engine == LaunchEngine.LLAMACPP_EXPERTS:
            return self.tr("Layout: every layer on {devices} GPUs, the routed experts in system RAM.").format(
                devices=plan.devices)
        if plan.engine == LaunchEngine.MLX:
            return self.tr("Layout: {macs} Macs, a pipeline of {macs} stages.").format(macs=plan.devices) \
                if plan.devices > 1 else self.tr("Layout: one Mac.")
        if plan.engine == LaunchEngine.LLAMACPP:
            return self.tr("Layout: {devices} devices with up to {layers} layers each.").format(
                devices=plan.devices, layers=plan.layers_per_device)
        if plan.pp > 1:
            text = self.tr("Layout: tensor parallel {tp} × pipeline {pp}.").format(tp=plan.tp, pp=plan.pp)
        else:
            text = self.tr("Layout: tensor parallel {tp} over {nodes} machines.").format(
                tp=plan.tp, nodes=len(plan.nodes)) if len(plan.nodes) > 1 else self.tr(
                "Layout: tensor parallel {tp}.").format(tp=plan.tp)
        if plan.idle_gpus:
            text += " " + self.tr("{idle} GPUs stay idle: the tensor-parallel size must divide the attention "
                                  "heads.").format(idle=plan.idle_gpus)
        return text
