"""Errors of the model manager. Each carries a message id (English text in ``core.errors.MESSAGES``)
and its parameters already formatted for a person; the raw numbers stay on the exception for the GUI.

They are not registered with ``core.errors.error_from_dict``: the model manager runs in the app's own
process and its errors never cross the engine host's pipe.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import DeepSeekError


class ModelManagerError(DeepSeekError):
    message_id = "input.invalid"


class CatalogueError(ModelManagerError):
    """An unknown model id or quantisation, or an unreadable catalogue file."""

    message_id = "catalogue.unknown_model"


class StorageError(ModelManagerError):
    """Not enough bytes or inodes, a folder that cannot be written, a path outside the models folder."""

    message_id = "storage.no_space"

    def __init__(self, message_id: str | None = None, detail: str = "", *, needed_bytes: int | None = None,
                 free_bytes: int | None = None, **params: Any) -> None:
        self.needed_bytes = needed_bytes
        self.free_bytes = free_bytes
        super().__init__(message_id, detail, **params)


class DownloadError(ModelManagerError):
    """No network, a refused request, a damaged file. ``partial_kept`` says whether a resume is possible."""

    message_id = "download.failed"

    def __init__(self, message_id: str | None = None, detail: str = "", *, partial_kept: bool = False,
                 **params: Any) -> None:
        self.partial_kept = partial_kept
        super().__init__(message_id, detail, **params)


class RamDiskError(ModelManagerError):
    message_id = "ramdisk.failed"


class Cancelled(ModelManagerError):
    """The caller set the cancel event. Whatever was half done has been cleaned up or kept for a resume."""

    message_id = "operation.cancelled"


class AlreadyInstalled(ModelManagerError):
    """The model being imported is byte for byte one already registered (``model``)."""

    message_id = "model.identical_installed"

    def __init__(self, model: Any, detail: str = "") -> None:
        self.model = model
        super().__init__("model.identical_installed", detail, name=model.name)
