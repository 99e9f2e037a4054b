"""The line that explains a generic chat template: in an installed model's details, the toolbar's
tooltip and the stats under a reply."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ..models.local.template_check import fallback_name


def fallback_note(name: str) -> str:
    """The explanation for a model without its own chat template; ``name`` as ``fallback_template``
    returns it ("" gives "")."""
    if not name:
        return ""
    return QCoreApplication.translate(
        "TemplateNote", "No chat template in the model file: a generic {name} template is used, answers may "
                        "be worse than with the model's own.").format(name=name)


def note_for_stats(chat_template: str) -> str:
    """The same from an engine's report (``"fallback:gemma"``); "" for the model's own template."""
    return fallback_note(fallback_name(chat_template or ""))
