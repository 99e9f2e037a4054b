"""Windows: an Inno Setup script for a per-user installer (no admin rights), generated from the frozen
folder so the file list and the version always match the build.

    python packaging/make_packages.py inno    (writes build/packaging/deepseek-desktop.iss and compiles it)

The compiler is Inno Setup 6.3 or newer (``x64compatible`` needs 6.3; the script refuses older ones). The
version is locked in ``packaging/windows/package-lock.json`` (the npm package ``innosetup`` carries
ISCC.exe): ``npm ci --prefix packaging/windows`` puts it in ``packaging/windows/node_modules``, where this
module finds it, on Windows and, through ``wine``, on Linux (``tests/test_package_windows.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from project_info import APP_NAME, HOMEPAGE, PACKAGE, version

GUI_EXE = f"{APP_NAME}.exe"  # the window (no console)
CLI_EXE = f"{PACKAGE}.exe"  # the command line (each of the two starts its engine host by running itself)
PROG_ID = "DeepSeekDesktop.gguf"
# A fixed id keeps upgrades and the uninstaller tied to one installed app; never change it.
APP_GUID = "{{6E1C3B0A-5D2F-4C8E-9B7A-3F1D2E4C5B60}"
# Per user, like Ollama: %LOCALAPPDATA%\Programs is what {autopf} means for a per-user install on Windows;
# written out, the same script also installs under Wine, which cannot expand {autopf} there.
INSTALL_DIR = f"{{localappdata}}\\Programs\\{APP_NAME}"
# Qt 6 runs on Windows 10 1809 (build 17763) and newer; older systems get Setup's own refusal.
MIN_WINDOWS = "10.0.17763"
INNO_MINIMUM = (6, 3, 0)
NPM_ISCC = Path(__file__).resolve().parent / "windows" / "node_modules" / "innosetup" / "bin" / "ISCC.exe"
CLASSES = "Software\\Classes"


def installer_name(app_version: str | None = None) -> str:
    return f"{PACKAGE}-{app_version or version()}-windows-x64-setup"


def file_version(app_version: str) -> str:
    """VersionInfoVersion: Windows takes four numbers of 0-65535 only. A pre-release (0.2.0rc1) or a local
    version keeps its full text in AppVersion and the text versions; here it is 0.2.0.0."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?", app_version)
    if not match:
        raise ValueError(f"version {app_version!r} does not start with a number")
    numbers = [int(n) if n else 0 for n in match.groups()]
    if any(n > 65535 for n in numbers):
        raise ValueError(f"version {app_version!r}: Windows allows numbers up to 65535")
    return ".".join(map(str, numbers))


def _q(text: str) -> str:
    return text.replace('"', '""')


def wine_path(path: Path) -> str:
    """How a program under Wine names a file of this system (Wine maps / to drive Z:)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def _registry(app_exe: str) -> list[str]:
    """.gguf: "Open with" DeepSeek Desktop with its own icon, and the default where nothing else claimed
    it (checked in [Code]). HKA is HKCU: the installer is per user. Every key we create goes on uninstall;
    the keys we share (.gguf, its OpenWithProgids) lose our values and go only when nothing else is left
    in them (.gguf's default in [Code])."""
    cls = CLASSES
    command = f'ValueData: """{app_exe}"" ""%1"""'
    return [
        f'Root: HKA; Subkey: "{cls}\\.gguf"; ValueType: string; ValueName: ""; ValueData: "{PROG_ID}"; '
        "Check: GgufUnclaimed",
        f'Root: HKA; Subkey: "{cls}\\.gguf\\OpenWithProgids"; ValueType: string; ValueName: "{PROG_ID}"; '
        'ValueData: ""; Flags: uninsdeletevalue uninsdeletekeyifempty',
        f'Root: HKA; Subkey: "{cls}\\{PROG_ID}"; ValueType: string; ValueName: ""; '
        'ValueData: "GGUF language model"; Flags: uninsdeletekey',
        f'Root: HKA; Subkey: "{cls}\\{PROG_ID}\\DefaultIcon"; ValueType: string; ValueName: ""; '
        'ValueData: "{app}\\gguf.ico,0"',
        f'Root: HKA; Subkey: "{cls}\\{PROG_ID}\\shell\\open\\command"; ValueType: string; ValueName: ""; '
        + command,
        f'Root: HKA; Subkey: "{cls}\\Applications\\{GUI_EXE}"; ValueType: string; ValueName: "FriendlyAppName"; '
        f'ValueData: "{APP_NAME}"; Flags: uninsdeletekey',
        f'Root: HKA; Subkey: "{cls}\\Applications\\{GUI_EXE}\\SupportedTypes"; ValueType: string; '
        'ValueName: ".gguf"; ValueData: ""',
        f'Root: HKA; Subkey: "{cls}\\Applications\\{GUI_EXE}\\shell\\open\\command"; ValueType: string; '
        'ValueName: ""; ' + command,
    ]


# Pascal: .gguf is made ours only where no other program is its default, per user (HKCU) or for the
# machine (HKLM; Windows shows both merged as HKEY_CLASSES_ROOT). On uninstall the default is taken back
# only if it is still ours. Windows itself keeps a user's own choice (UserChoice) above all of this.
_CODE = f"""[Code]
const
  GgufKey = '{CLASSES}\\.gguf';
  ProgId = '{PROG_ID}';

function ClaimedIn(RootKey: Integer): Boolean;
var
  Current: String;
begin
  Result := RegQueryStringValue(RootKey, GgufKey, '', Current) and (Current <> '') and (Current <> ProgId);
end;

function GgufUnclaimed: Boolean;
begin
  Result := not ClaimedIn(HKEY_CURRENT_USER) and not ClaimedIn(HKEY_LOCAL_MACHINE);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Current: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    if RegQueryStringValue(HKEY_CURRENT_USER, GgufKey, '', Current) and (Current = ProgId) then
      RegDeleteValue(HKEY_CURRENT_USER, GgufKey, '');
    RegDeleteKeyIfEmpty(HKEY_CURRENT_USER, GgufKey);
  end;
end;
"""


def iss_script(frozen: Path, icon: Path, out_dir: Path, *, app_version: str | None = None,
               winpath: Callable[[Path], str] = str) -> str:
    """The .iss text. ``frozen`` is the PyInstaller folder; each of its entries gets a [Files] line, and
    each of its folders is emptied before an upgrade installs, so no file of an older build stays behind
    (a Qt plugin of another Qt version can crash the app). ``winpath`` names a file for the compiler
    (``wine_path`` under Wine)."""
    names = sorted(p.name for p in frozen.iterdir())
    for needed in (GUI_EXE, CLI_EXE):
        if needed not in names:
            raise FileNotFoundError(f"{frozen} has no {needed}: build the frozen app on Windows first")
    v = app_version or version()
    files, stale = [], []
    for name in names:
        src = frozen / name
        if src.is_dir():
            files.append(f'Source: "{_q(winpath(src))}\\*"; DestDir: "{{app}}\\{_q(name)}"; '
                         "Flags: ignoreversion recursesubdirs createallsubdirs")
            stale.append(f'Type: filesandordirs; Name: "{{app}}\\{_q(name)}"')
        else:
            files.append(f'Source: "{_q(winpath(src))}"; DestDir: "{{app}}"; Flags: ignoreversion')
    files.append(f'Source: "{_q(winpath(icon))}"; DestDir: "{{app}}"; DestName: "gguf.ico"; Flags: ignoreversion')
    major, minor, patch = INNO_MINIMUM
    return "\n".join([
        "; Generated by packaging/windows_inno.py: edit that file, not this one.",
        f"#if VER < EncodeVer({major}, {minor}, {patch})",
        f'  #error Inno Setup {major}.{minor} or newer is needed (for "x64compatible")',
        "#endif",
        "[Setup]",
        f"AppId={APP_GUID}",
        f"AppName={APP_NAME}",
        f"AppVersion={v}",
        f"AppVerName={APP_NAME} {v}",
        f"VersionInfoVersion={file_version(v)}",
        f"VersionInfoTextVersion={v}",
        f"VersionInfoProductTextVersion={v}",
        "AppPublisher=DeepSeek Desktop developers",
        f"AppPublisherURL={HOMEPAGE}",
        f"DefaultDirName={INSTALL_DIR}",
        f"DefaultGroupName={APP_NAME}",
        "DisableProgramGroupPage=yes",
        "; per user, no admin rights: the files under %LOCALAPPDATA%\\Programs, the registry in HKCU",
        "PrivilegesRequired=lowest",
        f"MinVersion={MIN_WINDOWS}",
        "ArchitecturesAllowed=x64compatible",
        "ArchitecturesInstallIn64BitMode=x64compatible",
        "ChangesAssociations=yes",
        "; a running app (the window or its engine host) is asked to close before its files are replaced",
        "CloseApplications=yes",
        "CloseApplicationsFilter=*.exe,*.dll,*.pyd",
        f"UninstallDisplayIcon={{app}}\\{GUI_EXE}",
        f"UninstallDisplayName={APP_NAME}",
        f"SetupIconFile={_q(winpath(icon))}",
        f"OutputDir={_q(winpath(out_dir))}",
        f"OutputBaseFilename={installer_name(v)}",
        "Compression=lzma2/max",
        "SolidCompression=yes",
        "WizardStyle=modern",
        "",
        "[Languages]",
        'Name: "english"; MessagesFile: "compiler:Default.isl"',
        'Name: "german"; MessagesFile: "compiler:Languages\\German.isl"',
        "",
        "[Tasks]",
        'Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; '
        'GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked',
        "",
        "[InstallDelete]",
        "; an upgrade starts from empty folders: nothing of the build it replaces is left",
        *stale,
        "",
        "[Files]",
        *files,
        "",
        "[Icons]",
        f'Name: "{{autoprograms}}\\{APP_NAME}"; Filename: "{{app}}\\{GUI_EXE}"',
        f'Name: "{{autodesktop}}\\{APP_NAME}"; Filename: "{{app}}\\{GUI_EXE}"; Tasks: desktopicon',
        "",
        "[Registry]",
        *_registry(f"{{app}}\\{GUI_EXE}"),
        "",
        "[Run]",
        f'Filename: "{{app}}\\{GUI_EXE}"; Description: "{{cm:LaunchProgram,{APP_NAME}}}"; '
        "Flags: nowait postinstall skipifsilent",
        "",
        _CODE,
    ])


def iscc_command(env: Mapping[str, str] = os.environ) -> list[str] | None:
    """How to run Inno Setup's compiler here: $ISCC, the locked one from npm (under wine off Windows), or
    on Windows an installed Inno Setup 6. None when there is none."""
    on_windows = sys.platform == "win32"
    if env.get("ISCC"):
        return [env["ISCC"]] if on_windows else ["wine", env["ISCC"]]
    if NPM_ISCC.exists():
        if on_windows:
            return [str(NPM_ISCC)]
        if shutil.which("wine"):
            return ["wine", str(NPM_ISCC)]
        return None
    if on_windows:
        found = shutil.which("iscc") or shutil.which("ISCC.exe")
        default = Path(r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe")
        if not found and default.exists():
            found = str(default)
        return [found] if found else None
    return None


def compile_iss(iss: Path, command: list[str], env: Mapping[str, str] | None = None,
                say: Callable[[str], None] = print) -> None:
    """Run ISCC on ``iss`` and pass on what it says (every warning is named there). Raises when it fails."""
    name = str(iss) if command[0] != "wine" else wine_path(iss)
    done = subprocess.run([*command, name], env=None if env is None else dict(env), capture_output=True,
                          text=True, errors="replace")
    say(done.stdout)
    if done.returncode != 0:
        raise RuntimeError(f"Inno Setup failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def build_installer(frozen: Path, icon: Path, work: Path, out_dir: Path, *, app_version: str | None = None,
                    env: Mapping[str, str] | None = None, say: Callable[[str], None] = print) -> Path:
    command = iscc_command(os.environ if env is None else env)
    work.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    iss = work / f"{PACKAGE}.iss"
    winpath = wine_path if command and command[0] == "wine" else str
    text = iss_script(frozen, icon, out_dir, app_version=app_version, winpath=winpath)
    iss.write_text(text, encoding="utf-8-sig")  # BOM: Inno reads it as UTF-8
    if not command:
        raise SystemExit(f"Inno Setup's ISCC.exe was not found (npm ci --prefix packaging/windows installs it); "
                         f"the script is ready at {iss}")
    compile_iss(iss, command, env, say)
    return out_dir / f"{installer_name(app_version)}.exe"
