"""macOS: the app bundle's Info.plist, the .dmg, and signing + notarisation when credentials are given.

    python packaging/make_packages.py dmg     (on a Mac, after the freeze)

Signing runs when these are set, and is skipped with one line when not:
    MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)"
    MACOS_NOTARY_PROFILE  a notarytool keychain profile (xcrun notarytool store-credentials), or
    MACOS_NOTARY_APPLE_ID + MACOS_NOTARY_TEAM_ID + MACOS_NOTARY_PASSWORD (an app-specific password)
Every system command goes through ``run`` so the tests here can check the exact command lines.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from project_info import APP_NAME, BUNDLE_ID, GGUF_UTI, MACOS_MINIMUM, PACKAGE, version

Runner = Callable[[list[str]], None]
# What the spec's BUNDLE puts in Contents/MacOS: the window first (CFBundleExecutable), then the command line.
APP_EXECUTABLES = (APP_NAME, PACKAGE)
# Where PyInstaller's BUNDLE puts the rest: code in Frameworks, data and the icon in Resources.
APP_FOLDERS = ("Contents/Frameworks", "Contents/Resources")


def _run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def info_plist(executable: str = APP_NAME) -> dict:
    """Info.plist: identity, version, icon, high-DPI, and .gguf as a document type the app opens."""
    v = version()
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleExecutable": executable,
        "CFBundleIconFile": "icon.icns",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": v,
        "CFBundleVersion": v,
        "CFBundleInfoDictionaryVersion": "6.0",
        "LSMinimumSystemVersion": MACOS_MINIMUM,
        "LSApplicationCategoryType": "public.app-category.productivity",
        "NSHighResolutionCapable": True,
        # PyInstaller marks a bundle background-only (no Dock icon, no menu bar) when the last executable it
        # collects is a console one, as our command line is: the window app says otherwise.
        "LSBackgroundOnly": False,
        "NSSupportsAutomaticGraphicsSwitching": True,
        "NSRequiresAquaSystemAppearance": False,  # follow dark mode
        "NSHumanReadableCopyright": "MIT License",
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": "GGUF language model",
            "CFBundleTypeRole": "Viewer",
            "LSHandlerRank": "Owner",
            "LSItemContentTypes": [GGUF_UTI],
            "CFBundleTypeIconFile": "icon.icns",
        }],
        "UTImportedTypeDeclarations": [{
            "UTTypeIdentifier": GGUF_UTI,
            "UTTypeDescription": "GGUF language model",
            "UTTypeConformsTo": ["public.data"],
            "UTTypeIconFile": "icon.icns",
            "UTTypeTagSpecification": {"public.filename-extension": ["gguf"]},
        }],
    }


def app_problems(app: Path) -> list[str]:
    """What is wrong with a built (or installed) .app: the executables, folders and icon the spec puts
    there, and every Info.plist key we declare. Empty when all is well (the workflow's smoke test asks)."""
    contents = app / "Contents"
    problems = []
    for name in APP_EXECUTABLES:
        exe = contents / "MacOS" / name
        if not (exe.is_file() and os.access(exe, os.X_OK)):
            problems.append(f"Contents/MacOS/{name} is missing or not executable")
    problems += [f"{folder} is missing" for folder in APP_FOLDERS if not (app / folder).is_dir()]
    try:
        plist = plistlib.loads((contents / "Info.plist").read_bytes())
    except (OSError, plistlib.InvalidFileException, ValueError) as exc:
        return [*problems, f"Contents/Info.plist cannot be read: {exc}"]
    for key, want in info_plist(executable=APP_EXECUTABLES[0]).items():
        if plist.get(key) != want:
            problems.append(f"Info.plist {key} is {plist.get(key)!r}, not {want!r}")
    if not (contents / "Resources" / plist.get("CFBundleIconFile", "icon.icns")).is_file():
        problems.append("the icon named in Info.plist is not in Contents/Resources")
    return problems


def dmg_name() -> str:
    return f"{PACKAGE}-{version()}-macos-arm64.dmg"


def signing(env: Mapping[str, str]) -> tuple[str | None, list[str] | None]:
    """The signing identity and notarytool's credential arguments, or None for what is not given."""
    identity = env.get("MACOS_SIGN_IDENTITY") or None
    if env.get("MACOS_NOTARY_PROFILE"):
        return identity, ["--keychain-profile", env["MACOS_NOTARY_PROFILE"]]
    keys = ("MACOS_NOTARY_APPLE_ID", "MACOS_NOTARY_TEAM_ID", "MACOS_NOTARY_PASSWORD")
    if all(env.get(k) for k in keys):
        return identity, ["--apple-id", env[keys[0]], "--team-id", env[keys[1]], "--password", env[keys[2]]]
    return identity, None


def sign_app(app: Path, identity: str, entitlements: Path, run: Runner = _run) -> None:
    """Hardened runtime (notarisation requires it); --deep signs the bundled Qt and llama.cpp libraries."""
    run(["codesign", "--force", "--deep", "--timestamp", "--options", "runtime",
         "--entitlements", str(entitlements), "--sign", identity, str(app)])
    run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)])


def make_dmg(app: Path, out: Path, run: Runner = _run) -> Path:
    """A read-only compressed disk image with the app and a link to /Applications to drag it onto."""
    staging = out.parent / "dmg-staging"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    shutil.copytree(app, staging / app.name, symlinks=True)
    os.symlink("/Applications", staging / "Applications")
    if out.exists():
        out.unlink()
    run(["hdiutil", "create", "-volname", APP_NAME, "-srcfolder", str(staging), "-fs", "HFS+",
         "-format", "UDZO", "-ov", str(out)])
    shutil.rmtree(staging)
    return out


def package(app: Path, out_dir: Path, env: Mapping[str, str] = os.environ, run: Runner = _run,
            say: Callable[[str], None] = print) -> Path:
    """The .dmg; signed, notarised and stapled when the credentials are in ``env``."""
    identity, notary = signing(env)
    entitlements = Path(__file__).resolve().parent / "macos" / "entitlements.plist"
    if identity:
        sign_app(app, identity, entitlements, run)
    else:
        say("macOS: MACOS_SIGN_IDENTITY is not set: the app and the .dmg are not signed (Gatekeeper will "
            "ask users to open it from the context menu).")
    dmg = make_dmg(app, out_dir / dmg_name(), run)
    if identity:
        run(["codesign", "--force", "--timestamp", "--sign", identity, str(dmg)])
        if notary:
            run(["xcrun", "notarytool", "submit", str(dmg), *notary, "--wait"])
            run(["xcrun", "stapler", "staple", str(dmg)])
        else:
            say("macOS: no notarisation credentials (MACOS_NOTARY_PROFILE or MACOS_NOTARY_APPLE_ID, "
                "_TEAM_ID, _PASSWORD): signed but not notarised.")
    return dmg
