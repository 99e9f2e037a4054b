"""Build the installable app for this system.

    python packaging/make_packages.py            # Linux: freeze + .deb + .tar.gz; macOS: freeze + .dmg;
                                                 # Windows: freeze + Inno Setup installer
    python packaging/make_packages.py freeze     # only the PyInstaller folder (dist/deepseek-desktop)
    python packaging/make_packages.py deb        # only the .deb from an existing frozen folder
    python packaging/make_packages.py tarball | dmg | inno

Everything lands in dist/; intermediate files in build/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from project_info import APP_NAME, BUILD, DIST, PACKAGE, ROOT  # noqa: E402


def frozen_dir(dist: Path = DIST) -> Path:
    return dist / PACKAGE


def freeze(dist: Path = DIST, work: Path = BUILD / "pyinstaller") -> Path:
    """Run PyInstaller on the spec with the Python running this script (the project's virtualenv)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(HERE / "deepseek-desktop.spec")]
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    if sys.platform == "darwin":
        return dist / f"{APP_NAME}.app"
    return frozen_dir(dist)


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def main(argv: list[str]) -> int:
    steps = argv or ["all"]
    started = time.monotonic()
    made: list[Path] = []
    for step in steps:
        if step in ("all", "freeze"):
            made.append(freeze())
        if step == "deb" or (step == "all" and sys.platform.startswith("linux")):
            import linux_deb

            made.append(linux_deb.build_deb(frozen_dir()))
        if step == "tarball" or (step == "all" and sys.platform.startswith("linux")):
            import linux_deb

            made.append(linux_deb.build_tarball(frozen_dir()))
        if step == "dmg" or (step == "all" and sys.platform == "darwin"):
            import macos_app

            made.append(macos_app.package(DIST / f"{APP_NAME}.app", DIST))
        if step == "inno" or (step == "all" and sys.platform == "win32"):
            import icons
            import windows_inno

            icon = icons.write_all(BUILD / "icons")["ico"]
            made.append(windows_inno.build_installer(frozen_dir(), icon, BUILD, DIST))
        if step not in ("all", "freeze", "deb", "tarball", "dmg", "inno"):
            print(__doc__, file=sys.stderr)
            return 2
    for path in made:
        print(f"built {path}" + (f" ({_size(path)})" if path.is_file() else ""))
    print(f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
