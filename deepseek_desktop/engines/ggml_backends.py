"""ggml's loadable backends: load them once per process, and list the devices they see.

llama.cpp is built with GGML_BACKEND_DL (``packaging/build_llama.py``): libggml holds no backend of its own.
The CPU backend comes in variants (x64, sse42, haswell, skylakex, zen4, ...); ggml scores each against the
CPU and loads the best. GPU backends (Vulkan beside the app, CUDA from a GPU pack in the data folder) are
libraries of their own, and one that cannot start here (no driver) is skipped by ggml. Everything is looked
up relative to the folder the binding loaded libllama from, so the frozen app finds its own copies.

``DEEPSEEK_DESKTOP_CPU_VARIANT=haswell`` loads that CPU variant instead of the best one (for a CPU whose
best variant misbehaves, and for tests).
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import sys
from pathlib import Path

from ..core.devices import DEVICE_KINDS, Device, EngineDevices
from .vulkan_probe import vulkan_devices

log = logging.getLogger(__name__)

CPU_VARIANT_ENV = "DEEPSEEK_DESKTOP_CPU_VARIANT"
VK_VISIBLE = "GGML_VK_VISIBLE_DEVICES"
_BACKEND = re.compile(r"^(lib)?ggml-(?P<name>[a-z0-9]+)(-(?P<variant>[A-Za-z0-9_.]+))?\.(so|dll)$")
_IS_WIN = sys.platform == "win32"


class _Feature(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class GgmlBackends:
    """The process's ggml registry: backends are loaded once (``load``), then devices are read from it."""

    def __init__(self, lib_dir: Path, pack_dirs: list[Path] | None = None, list_software: bool = True,
                 binding_version: str = "") -> None:
        self.lib_dir = lib_dir
        self.binding_version = binding_version
        self.pack_dirs = list(pack_dirs or [])
        self.list_software = list_software  # make a software Vulkan device visible (the app chooses devices itself)
        self._ggml: list[ctypes.CDLL] = []
        self._loaded = False
        self._software: frozenset[str] = frozenset()
        self._packs: list[str] = []
        self._dll_dirs: list[object] = []  # Windows: a DLL folder stays searched while its handle lives
        self.problems: list[str] = []

    # -- loading ---------------------------------------------------------------------------------
    def load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self._ggml = [_open(self.lib_dir, name) for name in ("ggml", "ggml-base")]
        self._declare()
        visible = self._prepare_vulkan()
        before = os.environ.get(VK_VISIBLE)
        if visible is not None:
            os.environ[VK_VISIBLE] = visible  # read once, while the Vulkan backend starts
        try:
            forced = os.environ.get(CPU_VARIANT_ENV, "").strip()
            if forced:
                self._load_with_cpu_variant(forced)
            else:
                self._fn("ggml_backend_load_all_from_path")(str(self.lib_dir).encode())
            for folder in self.pack_dirs:
                self._load_pack(folder)
        finally:
            if visible is not None:  # not for the programs this process starts (llama-server, tests)
                if before is None:
                    os.environ.pop(VK_VISIBLE, None)
                else:
                    os.environ[VK_VISIBLE] = before
        if not self._cpu_reg():
            raise RuntimeError(f"ggml loaded no CPU backend from {self.lib_dir}")

    def _load_with_cpu_variant(self, variant: str) -> None:
        """Every backend beside the app once (none but the CPU has variants), the CPU in the variant asked for."""
        load = self._fn("ggml_backend_load")
        wanted = None
        for path in sorted(self.lib_dir.iterdir()):
            match = _BACKEND.match(path.name)
            if not match or match["name"] in ("base",):
                continue
            if match["name"] == "cpu":
                if match["variant"] == variant:
                    wanted = path
                continue
            load(str(path).encode())
        if wanted is None:
            raise RuntimeError(f"{CPU_VARIANT_ENV}={variant}: no such CPU variant in {self.lib_dir}")
        if not load(str(wanted).encode()):
            raise RuntimeError(f"the CPU variant {variant} does not run on this CPU")

    def _load_pack(self, folder: Path) -> None:
        """A GPU pack: its backend libraries, with the pack's own runtime libraries found beside them."""
        from ..models.downloads.gpu_packs import read_pack_info

        try:
            files = [folder / name for name in read_pack_info(folder).backends]
        except (OSError, ValueError) as exc:
            self.problems.append(f"GPU pack {folder.name}: {exc}")
            return
        if _IS_WIN:
            self._dll_dirs.append(os.add_dll_directory(str(folder)))  # cudart and cuBLAS beside ggml-cuda.dll
        before = self._fn("ggml_backend_reg_count")()
        for path in files:
            if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
                self.problems.append(f"GPU pack {folder.name}: {path.name} is missing")
                continue
            if not self._fn("ggml_backend_load")(str(path).encode()):
                self.problems.append(f"GPU pack {folder.name}: {path.name} did not load (see the log)")
        if self._fn("ggml_backend_reg_count")() > before:
            self._packs.append(folder.name)

    def _prepare_vulkan(self) -> str | None:
        """Notes the Vulkan devices that are emulated on the CPU; returns the GGML_VK_VISIBLE_DEVICES value that
        makes them visible when they are all there is (ggml skips them otherwise), so a user can choose one;
        automatic never does. None: leave ggml's own choice."""
        if not any(_BACKEND.match(p.name) and _BACKEND.match(p.name)["name"] == "vulkan"
                   for p in self.lib_dir.iterdir()):
            return None
        try:
            devices = vulkan_devices()
        except (OSError, AttributeError) as exc:
            log.info("Vulkan loader not usable: %s", exc)
            return None
        self._software = frozenset(d.name for d in devices if d.software)
        if self.list_software and devices and all(d.software for d in devices) and VK_VISIBLE not in os.environ:
            return ",".join(str(d.index) for d in devices)
        return None

    # -- reading ---------------------------------------------------------------------------------
    def report(self) -> EngineDevices:
        self.load()
        backends = []
        for i in range(self._fn("ggml_backend_reg_count")()):
            backends.append(_text(self._fn("ggml_backend_reg_name")(self._fn("ggml_backend_reg_get")(i))))
        devices = []
        for dev in self._devices():
            kind_index = self._fn("ggml_backend_dev_type")(dev)
            kind = DEVICE_KINDS[kind_index] if 0 <= kind_index < len(DEVICE_KINDS) else "gpu"
            if kind == "cpu":
                continue
            free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
            self._fn("ggml_backend_dev_memory")(dev, ctypes.byref(free), ctypes.byref(total))
            description = _text(self._fn("ggml_backend_dev_description")(dev))
            backend = _text(self._fn("ggml_backend_reg_name")(self._fn("ggml_backend_dev_backend_reg")(dev)))
            devices.append(Device(_text(self._fn("ggml_backend_dev_name")(dev)), description, backend, kind,
                                  total.value, free.value, software=description in self._software))
        variant, features = self._cpu_variant()
        return EngineDevices(tuple(backends), tuple(devices), variant, features, tuple(self._packs),
                             "; ".join(self.problems), self.binding_version)

    def handles(self, names: list[str]) -> list[int]:
        """ggml device handles for device names (for llama_model_params.devices)."""
        self.load()
        by_name = {_text(self._fn("ggml_backend_dev_name")(d)): d for d in self._devices()}
        return [by_name[n] for n in names]

    def _devices(self) -> list[int]:
        return [self._fn("ggml_backend_dev_get")(i) for i in range(self._fn("ggml_backend_dev_count")())]

    def _cpu_reg(self) -> int | None:
        return self._fn("ggml_backend_reg_by_name")(b"CPU")

    def _cpu_variant(self) -> tuple[str, tuple[str, ...]]:
        """The CPU library ggml loaded (found from the address of one of its functions) and its features."""
        reg = self._cpu_reg()
        address = self._fn("ggml_backend_reg_get_proc_address")(reg, b"ggml_backend_get_features")
        if not address:
            return "", ()
        get_features = ctypes.CFUNCTYPE(ctypes.POINTER(_Feature), ctypes.c_void_p)(address)
        features, item = [], get_features(reg)
        i = 0
        while item[i].name:
            features.append(item[i].name.decode("utf-8", "replace"))
            i += 1
        match = _BACKEND.match(Path(_library_of(address)).name)
        return (match["variant"] or "" if match else ""), tuple(features)

    def _declare(self) -> None:
        p, s, c = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p
        self._signatures = {
            "ggml_backend_load_all_from_path": (None, [c]), "ggml_backend_load": (p, [c]),
            "ggml_backend_reg_count": (s, []), "ggml_backend_reg_get": (p, [s]), "ggml_backend_reg_name": (c, [p]),
            "ggml_backend_reg_by_name": (p, [c]), "ggml_backend_reg_get_proc_address": (p, [p, c]),
            "ggml_backend_dev_count": (s, []), "ggml_backend_dev_get": (p, [s]), "ggml_backend_dev_name": (c, [p]),
            "ggml_backend_dev_description": (c, [p]), "ggml_backend_dev_type": (ctypes.c_int, [p]),
            "ggml_backend_dev_memory": (None, [p, ctypes.POINTER(s), ctypes.POINTER(s)]),
            "ggml_backend_dev_backend_reg": (p, [p]),
        }
        self._functions: dict[str, ctypes._CFuncPtr] = {}

    def _fn(self, name: str) -> ctypes._CFuncPtr:
        fn = self._functions.get(name)
        if fn is None:
            for lib in self._ggml:  # on Windows a DLL does not export its dependencies' functions
                fn = getattr(lib, name, None)
                if fn is not None:
                    break
            if fn is None:
                raise RuntimeError(f"{name} not found in libggml")
            fn.restype, fn.argtypes = self._signatures[name]
            self._functions[name] = fn
        return fn


def _open(folder: Path, name: str) -> ctypes.CDLL:
    file = f"{name}.dll" if _IS_WIN else (f"lib{name}.dylib" if sys.platform == "darwin" else f"lib{name}.so")
    return ctypes.CDLL(str(folder / file))


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value else ""


def _library_of(address: int) -> str:
    """The file of the loaded library that holds ``address``."""
    if _IS_WIN:
        from ctypes import wintypes

        kernel = ctypes.WinDLL("kernel32", use_last_error=True)
        module = wintypes.HMODULE()
        # GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT
        if not kernel.GetModuleHandleExW(0x4 | 0x2, ctypes.c_void_p(address), ctypes.byref(module)):
            return ""
        buffer = ctypes.create_unicode_buffer(1024)
        kernel.GetModuleFileNameW(module, buffer, len(buffer))
        return buffer.value

    class _DlInfo(ctypes.Structure):
        _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                    ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]

    libc = ctypes.CDLL(None)
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    info = _DlInfo()
    if not libc.dladdr(ctypes.c_void_p(address), ctypes.byref(info)) or not info.dli_fname:
        return ""
    return info.dli_fname.decode("utf-8", "replace")


_PROCESS: GgmlBackends | None = None  # ggml's registry is one per process; so is its mirror here


def process_backends(list_software: bool = True) -> GgmlBackends:
    """The backends beside the libllama the binding loaded, and the GPU packs installed in the data folder.
    ``list_software`` (the first call decides): list a software Vulkan device, for the app's device setting."""
    global _PROCESS
    if _PROCESS is None:
        import llama_cpp
        import llama_cpp.llama_cpp as lowlevel

        from ..core.paths import AppPaths
        from ..models.downloads.gpu_packs import installed_pack_dirs

        lib_dir = Path(getattr(lowlevel, "_base_path", Path(llama_cpp.__file__).parent / "lib"))
        packs = installed_pack_dirs(AppPaths.default().gpu_packs_dir, llama_cpp.__version__)
        _PROCESS = GgmlBackends(lib_dir, packs, list_software, llama_cpp.__version__)
    return _PROCESS


def load_ggml_backends() -> GgmlBackends:
    """For plain llama-cpp-python code (benchmarks, tests): llama-cpp-python has no call to load backends, and
    a llama.cpp built with loadable backends loads no model before one is loaded (llama.cpp's own programs
    call ggml_backend_load_all at start). Call this before the first ``Llama``. A software Vulkan device stays
    hidden, as in llama.cpp's programs: ``Llama`` uses every GPU device it is not told to leave out."""
    backends = process_backends(list_software=False)
    backends.load()
    return backends


def engine_devices() -> EngineDevices:
    """The report, or an error report when llama.cpp cannot be loaded here."""
    try:
        return process_backends().report()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        log.error("ggml's backends could not be loaded: %s", exc)
        return EngineDevices(error=f"{type(exc).__name__}: {exc}")
