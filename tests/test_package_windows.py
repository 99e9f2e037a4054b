"""The Windows installer, for real, under Wine: the .iss that packaging/windows_inno.py writes is compiled by
the locked Inno Setup (packaging/windows/package-lock.json), installed silently for the user, checked
(files, Start menu entry, .gguf registry entries, the uninstall entry), upgraded by a newer build (nothing
of the older build stays), and uninstalled until nothing is left, empty keys included.

The frozen folder is a stand-in with the layout PyInstaller makes (two executables, `_internal/`): what
is tested is the installer, not the app (the workflow installs and runs the real one on Windows).
Skips with one line where wine or Inno Setup is missing (make test installs both on Debian x86-64).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import windows_inno  # noqa: E402

from deepseek_desktop import __version__  # noqa: E402
from tests.wine_prefix import WinePrefix  # noqa: E402

if not (WinePrefix.available() and windows_inno.NPM_ISCC.exists()):
    pytest.skip("wine or Inno Setup is missing (packaging/linux/install-test-tools.sh installs them)",
                allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

NEW_VERSION = "99.0.0rc1"  # a pre-release: Windows' file version takes numbers only
CLASSES = r"HKCU\Software\Classes"
GGUF = rf"{CLASSES}\.gguf"
PROG_ID = rf"{CLASSES}\{windows_inno.PROG_ID}"
APPLICATION = rf"{CLASSES}\Applications\{windows_inno.GUI_EXE}"
UNINSTALL = (r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall"
             rf"\{windows_inno.APP_GUID[1:]}_is1")  # the script doubles the brace
OURS = [GGUF, rf"{GGUF}\OpenWithProgids", PROG_ID, APPLICATION, UNINSTALL]
SILENT = ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART")

# What each stand-in build holds: the old one has a Qt plugin the new one dropped.
OLD_BUILD = {
    windows_inno.GUI_EXE: b"MZ window 1",
    windows_inno.CLI_EXE: b"MZ console 1",
    "_internal/python311.dll": b"python 1",
    "_internal/PySide6/plugins/platforms/qwindows.dll": b"qt 6.11",
    "_internal/PySide6/plugins/imageformats/qold.dll": b"a plugin of the old Qt",
}
NEW_BUILD = {
    windows_inno.GUI_EXE: b"MZ window 2",
    windows_inno.CLI_EXE: b"MZ console 2",
    "_internal/python311.dll": b"python 2",
    "_internal/PySide6/plugins/platforms/qwindows.dll": b"qt 6.12",
    "_internal/PySide6/plugins/imageformats/qnew.dll": b"a plugin of the new Qt",
}


def stand_in(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    prefix = WinePrefix(tmp_path_factory.mktemp("wine"))
    prefix.boot()
    yield prefix
    prefix.stop()


@pytest.fixture(scope="module")
def built(wine, tmp_path_factory):
    """Both installers, built as make_packages.py builds one, and what the compiler said."""
    import icons

    work = tmp_path_factory.mktemp("inno")
    icon = icons.write_all(work / "icons")["ico"]
    made, said = {}, []
    for name, version, files in (("old", __version__, OLD_BUILD), ("new", NEW_VERSION, NEW_BUILD)):
        frozen = stand_in(work / name / "deepseek-desktop", files)
        out = work / name / "dist"
        setup = windows_inno.build_installer(frozen, icon, work / name / "build", out, app_version=version,
                                             env=wine.env, say=said.append)
        made[name] = setup
    return made, "".join(said)


@pytest.fixture(scope="module")
def setups(built) -> dict[str, Path]:
    return built[0]


@pytest.fixture(scope="module")
def places(wine) -> dict[str, Path]:
    return {"app": wine.unix(r"%LOCALAPPDATA%\Programs") / "DeepSeek Desktop",
            "start_menu": wine.unix(r"%APPDATA%\Microsoft\Windows\Start Menu\Programs") / "DeepSeek Desktop.lnk"}


# Seen once in a fresh clone: every Setup of the module ended at once with this line, before it read the
# script (Wine could not create the window of Setup's own form), and a new wine server cleared it.
WINE_WINDOW_FAILURE = "A call to an OS function failed"


def install(wine: WinePrefix, setup: Path, log: Path):
    done = wine.run(str(setup), *SILENT, f"/LOG={windows_inno.wine_path(log)}")
    if done.returncode != 0 and log.exists() and WINE_WINDOW_FAILURE in log.read_text(errors="replace"):
        print(f"wine failed to create Setup's window ({log.read_text(errors='replace')[-300:]!r}); restarted")
        wine.stop()
        wine.boot()
        done = wine.run(str(setup), *SILENT, f"/LOG={windows_inno.wine_path(log)}")
    return done


def uninstall(wine: WinePrefix, app: Path, log: Path):
    done = wine.run(str(app / "unins000.exe"), *SILENT, f"/LOG={windows_inno.wine_path(log)}")
    if done.returncode == 0:  # it goes on from a copy of itself: done when that copy closes its log
        wine.wait_until(lambda: "Log closed." in (log.read_text(errors="replace") if log.exists() else ""))
    return done


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_setup_compiles_without_a_warning(built):
    setups, said = built
    for name, setup in setups.items():
        assert setup.is_file() and setup.read_bytes()[:2] == b"MZ", name
    assert setups["new"].name == f"deepseek-desktop-{NEW_VERSION}-windows-x64-setup.exe"
    assert said.count("Successful compile") == 2, said
    assert "warning" not in said.lower(), said


def test_windows_older_than_10_1809_is_refused(wine, setups, places, tmp_path):
    wine.set_windows("win81")
    try:
        done = install(wine, setups["old"], tmp_path / "setup.log")
    finally:
        wine.set_windows("win10")
    assert done.returncode != 0
    assert "does not support the version of Windows" in (tmp_path / "setup.log").read_text(errors="replace")
    assert not places["app"].exists()


def test_a_silent_install_for_the_user_puts_everything_in_place(wine, setups, places, tmp_path):
    done = install(wine, setups["old"], tmp_path / "setup.log")
    assert done.returncode == 0, (tmp_path / "setup.log").read_text(errors="replace")
    app = places["app"]
    installed = files_under(app)
    for rel, data in OLD_BUILD.items():
        assert installed.pop(rel) == data, rel
    assert set(installed) == {"gguf.ico", "unins000.exe", "unins000.dat"}

    link = places["start_menu"].read_bytes()
    assert f"DeepSeek Desktop\\{windows_inno.GUI_EXE}".encode() in link, "the Start menu opens the window"

    gui = wine.expand(rf"%LOCALAPPDATA%\Programs\DeepSeek Desktop\{windows_inno.GUI_EXE}")
    open_command = f'"{gui}" "%1"'
    assert wine.reg(GGUF) == {"": windows_inno.PROG_ID}, "a double-click opens it: nothing else claimed .gguf"
    assert wine.reg(rf"{GGUF}\OpenWithProgids") == {windows_inno.PROG_ID: ""}
    assert wine.reg(PROG_ID) == {"": "GGUF language model"}
    assert wine.reg(rf"{PROG_ID}\DefaultIcon")[""].endswith(r"DeepSeek Desktop\gguf.ico,0")
    assert wine.reg(rf"{PROG_ID}\shell\open\command") == {"": open_command}
    assert wine.reg(rf"{APPLICATION}\SupportedTypes") == {".gguf": ""}
    assert wine.reg(rf"{APPLICATION}\shell\open\command") == {"": open_command}
    entry = wine.reg(UNINSTALL)
    assert entry["DisplayName"] == "DeepSeek Desktop" and entry["DisplayVersion"] == __version__


def test_an_upgrade_leaves_nothing_of_the_old_build(wine, setups, places, tmp_path):
    done = install(wine, setups["new"], tmp_path / "setup.log")
    assert done.returncode == 0, (tmp_path / "setup.log").read_text(errors="replace")
    installed = files_under(places["app"])
    for rel, data in NEW_BUILD.items():
        assert installed.pop(rel) == data, rel
    assert set(installed) == {"gguf.ico", "unins000.exe", "unins000.dat"}, "the old Qt plugin is gone"
    assert wine.reg(UNINSTALL)["DisplayVersion"] == NEW_VERSION
    assert wine.reg(GGUF) == {"": windows_inno.PROG_ID}


def test_uninstalling_leaves_nothing_not_even_empty_keys(wine, places, tmp_path):
    done = uninstall(wine, places["app"], tmp_path / "uninstall.log")
    assert done.returncode == 0, (tmp_path / "uninstall.log").read_text(errors="replace")
    assert not places["app"].exists()
    assert not places["start_menu"].exists()
    left = {key: wine.reg(key) for key in OURS if wine.reg(key) is not None}
    assert left == {}


@pytest.mark.parametrize("root", ["HKCU", "HKLM"])
def test_another_programs_gguf_default_stays(wine, setups, places, tmp_path, root):
    """Per user or for the whole machine: the installer adds itself to "Open with" and takes nothing."""
    theirs = rf"{root}\Software\Classes\.gguf"
    wine.reg_set(theirs, "", "OtherViewer.gguf")
    try:
        assert install(wine, setups["new"], tmp_path / "setup.log").returncode == 0
        assert wine.reg(theirs)[""] == "OtherViewer.gguf"
        assert wine.reg(rf"{GGUF}\OpenWithProgids") == {windows_inno.PROG_ID: ""}
        assert uninstall(wine, places["app"], tmp_path / "uninstall.log").returncode == 0
        assert wine.reg(theirs) == {"": "OtherViewer.gguf"}
        assert wine.reg(rf"{GGUF}\OpenWithProgids") is None
        assert all(wine.reg(key) is None for key in (PROG_ID, APPLICATION, UNINSTALL))
    finally:
        wine.reg_delete(theirs)
