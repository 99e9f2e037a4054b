"""What the packages are made of, checked here: the icon from its SVG, the macOS Info.plist and the
hdiutil/codesign/notarytool command lines, the Inno Setup script, the Linux desktop integration, and how
the command line routes a model file to the window."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import icons  # noqa: E402
import macos_app  # noqa: E402
import project_info  # noqa: E402
import windows_inno  # noqa: E402

from deepseek_desktop import __version__  # noqa: E402
from deepseek_desktop.cli.main import _commands, build_parser, route_paths  # noqa: E402


# -- the icon ------------------------------------------------------------------------------------
def test_every_icon_is_drawn_from_the_svg(tmp_path):
    from PIL import Image

    made = icons.write_all(tmp_path)
    for size in icons.PNG_SIZES:
        with Image.open(made[str(size)]) as im:
            assert im.size == (size, size) and im.mode == "RGBA"
    with Image.open(made["ico"]) as ico:
        assert {(s, s) for s in icons.ICO_SIZES} <= set(ico.info["sizes"])
    with Image.open(made["icns"]) as icns:
        assert icns.format == "ICNS" and (512, 512) in {tuple(s[:2]) for s in icns.info["sizes"]}
    # the corners are transparent (rounded square), the middle of the bubble is white
    big = Image.open(made["256"])
    assert big.getpixel((2, 2))[3] == 0
    assert big.getpixel((128, 160))[:3] == (255, 255, 255)


def test_the_window_icon_is_the_svg_drawn_at_256(tmp_path):
    from PIL import Image, ImageChops

    committed = Image.open(icons.WINDOW_PNG).convert("RGBA")
    fresh = icons.render(256)
    diff = ImageChops.difference(committed, fresh).getbbox()
    assert diff is None, "run: python packaging/icons.py --window"


def test_the_icon_svg_holds_only_shapes_the_renderer_draws(tmp_path):
    bad = tmp_path / "bad.svg"
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0"/></svg>')
    with pytest.raises(ValueError, match="path"):
        icons.parse_svg(bad)


# -- macOS ---------------------------------------------------------------------------------------
def test_info_plist_declares_gguf_and_the_package_version():
    plist = plistlib.loads(plistlib.dumps(macos_app.info_plist()))
    assert plist["CFBundleShortVersionString"] == __version__ == plist["CFBundleVersion"]
    assert plist["CFBundleIdentifier"] == project_info.BUNDLE_ID
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSMinimumSystemVersion"] == project_info.MACOS_MINIMUM
    assert plist["CFBundleIconFile"] == "icon.icns"
    (doc,) = plist["CFBundleDocumentTypes"]
    (uti,) = plist["UTImportedTypeDeclarations"]
    assert doc["LSItemContentTypes"] == [uti["UTTypeIdentifier"]]
    assert doc["CFBundleTypeRole"] == "Viewer"
    assert uti["UTTypeTagSpecification"]["public.filename-extension"] == ["gguf"]


def run_spec(platform: str, monkeypatch) -> dict[str, list]:
    """packaging/deepseek-desktop.spec executed as PyInstaller executes it, for ``platform``, with
    PyInstaller's build steps (Analysis, PYZ, EXE, COLLECT, BUNDLE) recording what they are given."""
    import freeze_config
    import PyInstaller.utils.hooks  # noqa: F401 - imported for this system before sys.platform changes

    seen: dict[str, list] = {"EXE": [], "COLLECT": [], "BUNDLE": []}

    class Analysis:
        def __init__(self, scripts, **kwargs):
            self.scripts, self.pure = scripts, []
            self.binaries, self.datas = kwargs["binaries"], kwargs["datas"]
            seen["Analysis"] = [kwargs]

    def step(kind):
        def record(*args, **kwargs):
            seen[kind].append({"args": args, **kwargs})
            return seen[kind][-1]
        return record

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(freeze_config, "openmp_runtime", lambda: [])  # vcomp140.dll is a Windows file
    spec = ROOT / "packaging" / "deepseek-desktop.spec"
    namespace = {"SPECPATH": str(spec.parent), "__file__": str(spec), "Analysis": Analysis,
                 "PYZ": lambda *a, **k: "pyz", "EXE": step("EXE"), "COLLECT": step("COLLECT"),
                 "BUNDLE": step("BUNDLE")}
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    return seen


def test_the_spec_builds_the_app_bundle_that_info_plist_and_the_smoke_test_describe(monkeypatch):
    seen = run_spec("darwin", monkeypatch)
    exes = seen["EXE"]
    assert [(e["name"], e["console"]) for e in exes] == [("DeepSeek Desktop", False), ("deepseek-desktop", True)]
    assert tuple(e["name"] for e in exes) == macos_app.APP_EXECUTABLES
    (collect,) = seen["COLLECT"]
    assert collect["args"][:2] == tuple(exes)
    (bundle,) = seen["BUNDLE"]
    assert bundle["name"] == "DeepSeek Desktop.app" and bundle["args"] == (collect,)
    assert bundle["bundle_identifier"] == project_info.BUNDLE_ID and bundle["version"] == __version__
    plist = bundle["info_plist"]
    assert Path(bundle["icon"]).name == plist["CFBundleIconFile"]  # BUNDLE copies the icon under its name
    assert plist["CFBundleExecutable"] == exes[0]["name"]
    # PyInstaller takes "console" from the last executable collected: it would hide the app from the Dock
    assert exes[-1]["console"] and plist["LSBackgroundOnly"] is False
    assert "mlx" not in seen["Analysis"][0]["excludes"]


def test_the_spec_builds_the_two_windows_programs_the_installer_names(monkeypatch):
    seen = run_spec("win32", monkeypatch)
    assert [(e["name"] + ".exe", e["console"]) for e in seen["EXE"]] == [(windows_inno.GUI_EXE, False),
                                                                        (windows_inno.CLI_EXE, True)]
    assert all(e["icon"].endswith("icon.ico") for e in seen["EXE"])
    assert seen["BUNDLE"] == [] and "mlx" in seen["Analysis"][0]["excludes"]


def test_the_spec_builds_one_program_on_linux(monkeypatch):
    seen = run_spec("linux", monkeypatch)
    assert [(e["name"], e["console"]) for e in seen["EXE"]] == [("deepseek-desktop", True)]
    assert seen["COLLECT"][0]["name"] == "deepseek-desktop" and seen["BUNDLE"] == []


def built_app(tmp_path: Path) -> Path:
    """A .app laid out as BUNDLE lays it out, with the Info.plist the spec gives it."""
    app = tmp_path / "DeepSeek Desktop.app"
    for folder in macos_app.APP_FOLDERS:
        (app / folder).mkdir(parents=True)
    (app / "Contents" / "MacOS").mkdir()
    for name in macos_app.APP_EXECUTABLES:
        exe = app / "Contents" / "MacOS" / name
        exe.write_bytes(b"\xcf\xfa\xed\xfe")
        exe.chmod(0o755)
    (app / "Contents" / "Resources" / "icon.icns").write_bytes(b"icns")
    plist = {"CFBundleDevelopmentRegion": "English", **macos_app.info_plist(executable="DeepSeek Desktop")}
    (app / "Contents" / "Info.plist").write_bytes(plistlib.dumps(plist))
    return app


def test_a_well_built_app_has_no_problems_and_each_fault_is_named(tmp_path):
    app = built_app(tmp_path)
    assert macos_app.app_problems(app) == []
    (app / "Contents" / "MacOS" / "deepseek-desktop").chmod(0o644)
    plist = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())
    plist["LSBackgroundOnly"] = True
    (app / "Contents" / "Info.plist").write_bytes(plistlib.dumps(plist))
    (app / "Contents" / "Resources" / "icon.icns").unlink()
    assert macos_app.app_problems(app) == [
        "Contents/MacOS/deepseek-desktop is missing or not executable",
        "Info.plist LSBackgroundOnly is True, not False",
        "the icon named in Info.plist is not in Contents/Resources",
    ]
    (app / "Contents" / "Info.plist").write_bytes(b"not a plist")
    assert macos_app.app_problems(app)[-1].startswith("Contents/Info.plist cannot be read")


@pytest.fixture
def fake_app(tmp_path) -> Path:
    app = tmp_path / "DeepSeek Desktop.app"
    (app / "Contents" / "MacOS").mkdir(parents=True)
    (app / "Contents" / "MacOS" / "DeepSeek Desktop").write_bytes(b"\0")
    return app


def test_unsigned_dmg_says_so_in_one_line(fake_app, tmp_path):
    commands, said = [], []
    dmg = macos_app.package(fake_app, tmp_path / "out", env={}, run=commands.append, say=said.append)
    assert dmg.name == f"deepseek-desktop-{__version__}-macos-arm64.dmg"
    staging = str(tmp_path / "out" / "dmg-staging")
    assert commands == [["hdiutil", "create", "-volname", "DeepSeek Desktop", "-srcfolder", staging,
                         "-fs", "HFS+", "-format", "UDZO", "-ov", str(dmg)]]
    assert len(said) == 1 and "not signed" in said[0]


def test_signed_and_notarised_dmg_command_lines(fake_app, tmp_path, monkeypatch):
    seen_staging = []

    def run(cmd):
        commands.append(cmd)
        if cmd[0] == "hdiutil":  # what hdiutil would pack: the app and the Applications link
            staging = Path(cmd[cmd.index("-srcfolder") + 1])
            seen_staging.append(sorted(p.name for p in staging.iterdir()))
            assert (staging / "Applications").readlink() == Path("/Applications")

    commands: list[list[str]] = []
    env = {"MACOS_SIGN_IDENTITY": "Developer ID Application: X (TEAM1)", "MACOS_NOTARY_PROFILE": "dsd"}
    dmg = macos_app.package(fake_app, tmp_path / "out", env=env, run=run, say=pytest.fail)
    ent = str(ROOT / "packaging" / "macos" / "entitlements.plist")
    ident = env["MACOS_SIGN_IDENTITY"]
    assert [c[:2] for c in commands] == [["codesign", "--force"], ["codesign", "--verify"],
                                         ["hdiutil", "create"], ["codesign", "--force"],
                                         ["xcrun", "notarytool"], ["xcrun", "stapler"]]
    assert commands[0] == ["codesign", "--force", "--deep", "--timestamp", "--options", "runtime",
                           "--entitlements", ent, "--sign", ident, str(fake_app)]
    assert commands[3] == ["codesign", "--force", "--timestamp", "--sign", ident, str(dmg)]
    assert commands[4] == ["xcrun", "notarytool", "submit", str(dmg), "--keychain-profile", "dsd", "--wait"]
    assert commands[5] == ["xcrun", "stapler", "staple", str(dmg)]
    assert seen_staging == [["Applications", "DeepSeek Desktop.app"]]
    plistlib.loads((ROOT / "packaging" / "macos" / "entitlements.plist").read_bytes())


def test_signed_without_notary_credentials_says_so(fake_app, tmp_path):
    commands, said = [], []
    macos_app.package(fake_app, tmp_path, env={"MACOS_SIGN_IDENTITY": "X"}, run=commands.append,
                      say=said.append)
    assert not any(c[0] == "xcrun" for c in commands)
    assert len(said) == 1 and "not notarised" in said[0]


# -- Windows -------------------------------------------------------------------------------------
def test_inno_script_has_the_version_the_files_and_the_gguf_association(tmp_path):
    frozen = tmp_path / "deepseek-desktop"
    (frozen / "_internal" / "llama_cpp" / "lib").mkdir(parents=True)
    for name in ("DeepSeek Desktop.exe", "deepseek-desktop.exe"):
        (frozen / name).write_bytes(b"MZ")
    icon = tmp_path / "icon.ico"
    iss = windows_inno.iss_script(frozen, icon, tmp_path / "out")
    lines = iss.splitlines()
    assert f"AppVersion={__version__}" in lines
    assert "PrivilegesRequired=lowest" in lines
    assert f"OutputBaseFilename=deepseek-desktop-{__version__}-windows-x64-setup" in lines
    files = [ln for ln in lines if ln.startswith("Source:")]
    assert files == [
        f'Source: "{frozen / "DeepSeek Desktop.exe"}"; DestDir: "{{app}}"; Flags: ignoreversion',
        f'Source: "{frozen / "_internal"}\\*"; DestDir: "{{app}}\\_internal"; '
        "Flags: ignoreversion recursesubdirs createallsubdirs",
        f'Source: "{frozen / "deepseek-desktop.exe"}"; DestDir: "{{app}}"; Flags: ignoreversion',
        f'Source: "{icon}"; DestDir: "{{app}}"; DestName: "gguf.ico"; Flags: ignoreversion',
    ]
    assert 'Name: "{autoprograms}\\DeepSeek Desktop"; Filename: "{app}\\DeepSeek Desktop.exe"' in lines
    assert any(".gguf\\OpenWithProgids" in ln and "DeepSeekDesktop.gguf" in ln for ln in lines)
    assert any(ln.endswith('ValueData: """{app}\\DeepSeek Desktop.exe"" ""%1"""') for ln in lines)
    assert any("DefaultIcon" in ln and "gguf.ico" in ln for ln in lines)


@pytest.mark.parametrize("version,numbers", [
    ("0.1.0", "0.1.0.0"), ("0.2.0rc1", "0.2.0.0"), ("1.2", "1.2.0.0"), ("1.2.3.4", "1.2.3.4"),
    ("1.0.0.dev3", "1.0.0.0"), ("2.1.0+local.7", "2.1.0.0"),
])
def test_windows_file_version_takes_the_numbers_of_any_version(version, numbers):
    assert windows_inno.file_version(version) == numbers


@pytest.mark.parametrize("version", ["rc1", "", "1.65536.0"])
def test_a_version_windows_cannot_hold_is_refused(version):
    with pytest.raises(ValueError):
        windows_inno.file_version(version)


def test_inno_script_empties_the_frozen_folders_before_an_upgrade_and_names_its_limits(tmp_path):
    frozen = tmp_path / "deepseek-desktop"
    (frozen / "_internal").mkdir(parents=True)
    for name in ("DeepSeek Desktop.exe", "deepseek-desktop.exe"):
        (frozen / name).write_bytes(b"MZ")
    lines = windows_inno.iss_script(frozen, tmp_path / "icon.ico", tmp_path, app_version="0.2.0rc1").splitlines()
    section = lines[lines.index("[InstallDelete]") + 1:]
    assert [ln for ln in section[:section.index("")] if not ln.startswith(";")] == [
        'Type: filesandordirs; Name: "{app}\\_internal"']
    assert "AppVersion=0.2.0rc1" in lines and "VersionInfoVersion=0.2.0.0" in lines
    assert "OutputBaseFilename=deepseek-desktop-0.2.0rc1-windows-x64-setup" in lines
    assert "MinVersion=10.0.17763" in lines
    assert "DefaultDirName={localappdata}\\Programs\\DeepSeek Desktop" in lines
    assert "#if VER < EncodeVer(6, 3, 0)" in lines  # x64compatible needs 6.3: older compilers stop here
    assert not any(ln.startswith("PrivilegesRequiredOverridesAllowed") for ln in lines)  # HKA is HKCU


def test_wine_names_files_on_drive_z(tmp_path):
    assert windows_inno.wine_path(tmp_path / "a b.iss") == "Z:" + str(tmp_path).replace("/", "\\") + "\\a b.iss"


def test_inno_script_needs_both_executables(tmp_path):
    frozen = tmp_path / "deepseek-desktop"
    frozen.mkdir()
    (frozen / "deepseek-desktop.exe").write_bytes(b"MZ")
    with pytest.raises(FileNotFoundError, match="DeepSeek Desktop.exe"):
        windows_inno.iss_script(frozen, tmp_path / "icon.ico", tmp_path)


# -- Linux desktop integration --------------------------------------------------------------------
needs_tools = pytest.mark.skipif(not all(shutil.which(t) for t in ("desktop-file-validate", "appstreamcli",
                                                                     "update-mime-database", "mimetype")),
                                 reason="make sysdeps installs the desktop-file, AppStream and MIME tools")


@needs_tools
def test_desktop_file_metainfo_and_mime_type_validate(tmp_path, gemma_path):
    import linux_deb

    linux_deb.desktop_files(tmp_path)
    share = tmp_path / "usr" / "share"
    app_id = project_info.APP_ID
    desktop = share / "applications" / f"{app_id}.desktop"
    subprocess.run(["desktop-file-validate", str(desktop)], check=True)
    subprocess.run(["appstreamcli", "validate", "--no-net", str(share / "metainfo" / f"{app_id}.metainfo.xml")],
                   check=True)
    assert "MimeType=application/x-gguf;" in desktop.read_text().splitlines()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / f"{app_id}.png").exists()
    # the type by name, and by the magic for a GGUF that is not called .gguf
    subprocess.run(["update-mime-database", str(share / "mime")], check=True)
    renamed = tmp_path / "model.bin"
    with open(gemma_path, "rb") as src:
        renamed.write_bytes(src.read(4096))
    env = {"XDG_DATA_DIRS": str(share), "XDG_DATA_HOME": str(tmp_path / "none"), "PATH": "/usr/bin:/bin"}
    for path in (tmp_path / "x.gguf", renamed):
        if not path.exists():
            path.write_bytes(b"GGUF\3\0\0\0")
        out = subprocess.run(["mimetype", "--brief", str(path)], env=env, capture_output=True, text=True)
        assert out.stdout.strip() == "application/x-gguf", (path, out)


# -- the command line --------------------------------------------------------------------------------
@pytest.mark.parametrize("argv,expected", [
    (["model.gguf"], ["gui", "model.gguf"]),
    (["-v", "/m/a.gguf", "/m/b"], ["-v", "gui", "/m/a.gguf", "/m/b"]),
    (["-psn_0_12345"], []),
    (["chat", "--model", "x.gguf"], ["chat", "--model", "x.gguf"]),
    (["gui", "x.gguf"], ["gui", "x.gguf"]),
    (["--version"], ["--version"]),
])
def test_a_path_argument_opens_the_window_with_it(argv, expected):
    parser = build_parser()
    routed = route_paths(argv, _commands(parser))
    assert routed == expected
    if "gui" in routed:
        args = parser.parse_args(routed)
        assert [str(p) for p in args.paths] == routed[routed.index("gui") + 1:]


# -- the workflow's smoke test ---------------------------------------------------------------------------
def test_the_smoke_test_stops_at_the_first_failing_step_with_its_output(tmp_path, capsys):
    import smoke_test

    fails = tmp_path / "deepseek-desktop"
    fails.write_text("#!/bin/sh\necho 'deepseek-desktop 0.0.1'\n")
    fails.chmod(0o755)
    assert smoke_test.main(["--cli", str(fails)]) == 1
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("FAIL --version says") and "deepseek-desktop 0.0.1" in out.err


def test_the_smoke_test_runs_the_app_without_our_python(tmp_path, monkeypatch):
    import smoke_test

    venv_bin = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", os.pathsep.join([venv_bin, "/usr/bin"]))
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    env = smoke_test.clean_env(tmp_path)
    assert env["PATH"] == "/usr/bin" and "VIRTUAL_ENV" not in env
    assert env["DEEPSEEK_DESKTOP_HOME"] == str(tmp_path / "app")
