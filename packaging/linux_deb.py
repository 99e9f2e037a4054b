"""The Linux packages: a .deb built with dpkg-deb, and a .tar.gz of the frozen folder.

The .deb puts the frozen app under /opt/deepseek-desktop, a link to it on the PATH, and the desktop
integration where the desktop looks for it: a .desktop file that opens .gguf files, a shared-mime-info
type for .gguf (by name and by the GGUF magic), icons in the hicolor theme and AppStream metainfo.
dpkg's triggers (shared-mime-info, desktop-file-utils, hicolor) refresh the caches: no maintainer scripts.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import icons
from project_info import (
    APP_ID,
    APP_NAME,
    BUILD,
    DIST,
    GGUF_MIME,
    HOMEPAGE,
    MAINTAINER,
    PACKAGE,
    SUMMARY,
    version,
)

HERE = Path(__file__).resolve().parent / "linux"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# What the bundled Qt loads from the system (PyInstaller leaves out libc, GL and the X11/xcb libraries);
# "a | b" for names that changed with Debian 13 / Ubuntu 24.04's 64-bit time_t transition.
DEPENDS = (
    "libc6 (>= 2.31)", "libegl1", "libgl1", "libopengl0", "libfontconfig1", "libfreetype6",
    "libglib2.0-0t64 | libglib2.0-0", "libdbus-1-3", "libxkbcommon0", "libxkbcommon-x11-0", "libx11-6",
    "libx11-xcb1", "libxcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1",
    "libgomp1", "shared-mime-info", "desktop-file-utils", "hicolor-icon-theme",
)
# llama.cpp's Vulkan backend loads the system's Vulkan loader; the drivers come with the GPU's (Mesa for AMD
# and Intel, NVIDIA's own). Without them the engine runs on the CPU, and says so.
RECOMMENDS = ("libvulkan1",)
SUGGESTS = ("mesa-vulkan-drivers",)


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()


def fill(template: Path, **extra: str) -> str:
    values = {"APP_ID": APP_ID, "APP_NAME": APP_NAME, "PACKAGE": PACKAGE, "SUMMARY": SUMMARY,
              "GGUF_MIME": GGUF_MIME, "HOMEPAGE": HOMEPAGE, "VERSION": version(),
              "HOMEPAGE_RAW": HOMEPAGE.replace("https://github.com/", "https://raw.githubusercontent.com/")
              + "/main", "DATE": dt.date.today().isoformat()} | extra
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    unfilled = re.findall(r"@[A-Z_]+@", text)
    if unfilled:
        raise ValueError(f"{template.name}: nothing fills {unfilled}")
    return text


def desktop_files(root: Path) -> list[Path]:
    """The desktop integration under ``root`` (the staged /): .desktop, MIME type, icons, metainfo."""
    share = root / "usr" / "share"
    made = []

    def write(rel: str, text: str) -> None:
        path = share / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(path)

    write(f"applications/{APP_ID}.desktop", fill(HERE / "deepseek-desktop.desktop.in"))
    write(f"mime/packages/{APP_ID}.xml", fill(HERE / "gguf-mime.xml.in"))
    write(f"metainfo/{APP_ID}.metainfo.xml", fill(HERE / "metainfo.xml.in"))
    for size in HICOLOR_SIZES:
        path = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        icons.render(size).save(path)
        made.append(path)
    svg = share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    svg.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(icons.SVG, svg)
    made.append(svg)
    return made


def control(installed_kib: int, arch: str) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version()}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(DEPENDS)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        f"Suggests: {', '.join(SUGGESTS)}\n"
        "Section: science\n"
        "Priority: optional\n"
        f"Homepage: {HOMEPAGE}\n"
        f"Description: {SUMMARY}\n"
        " Runs DeepSeek language models on this computer with llama.cpp (GGUF files),\n"
        " privately and offline, or talks to an OpenAI-compatible server.\n"
        " Includes the command line: deepseek-desktop chat, models, doctor.\n"
    )


def stage(frozen: Path, root: Path, arch: str) -> Path:
    """The .deb's file tree in ``root``: everything dpkg-deb needs."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / "opt" / PACKAGE
    shutil.copytree(frozen, opt, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    os.symlink(f"/opt/{PACKAGE}/{PACKAGE}", bin_dir / PACKAGE)  # the bootloader finds its folder via /proc
    desktop_files(root)
    doc = root / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(f"{APP_NAME}\nLicense: MIT\nSource: {HOMEPAGE}\n", encoding="utf-8")
    size = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir())
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control((size + 1023) // 1024, arch), encoding="utf-8")
    for path in [root, *root.rglob("*")]:  # dpkg wants 0755 folders and no group/world write bits
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    return root


def build_deb(frozen: Path, out_dir: Path = DIST, level: int = 6) -> Path:
    """xz at ``level``: 6 (dpkg's default) for releases; 1 is four times faster and some 10% larger."""
    arch = architecture()
    root = stage(frozen, BUILD / "deb-root", arch)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version()}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", f"-z{level}", "--build", str(root), str(deb)],
                   check=True)
    return deb


def build_tarball(frozen: Path, out_dir: Path = DIST) -> Path:
    """The same folder for any distribution: unpack, run ``deepseek-desktop/deepseek-desktop``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tar = out_dir / f"{PACKAGE}-{version()}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(tar, "w:gz", compresslevel=6) as tf:
        tf.add(frozen, arcname=f"{PACKAGE}-{version()}")
    return tar
