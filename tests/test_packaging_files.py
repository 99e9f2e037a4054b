"""What the packages are made of, checked here: the icon from its SVG, the macOS Info.plist and the
hdiutil/codesign/notarytool command lines, the Inno Setup script, the Linux desktop integration, and how
the command line routes a model file to the window."""

from __future__ import annotations

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
