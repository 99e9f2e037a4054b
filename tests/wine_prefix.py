"""A private Wine "computer" for the Windows installer test: its own prefix (C: drive and registry), no
display (Wine's null graphics driver), Windows 10 by default, and the registry read with Wine's own
``reg query``, as a Windows program would see it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# One wine server runs as long as the prefix is used (a new one for every call costs seconds). HANG only
# ends a hung Wine; it measures nothing.
HANG = 600
_VALUE = re.compile(r"^    (.*?)    (REG_[A-Z_]+)(?:    (.*))?$")


class WinePrefix:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        # no Mono/Gecko install prompts; Wine's own messages off
        self.env.update(WINEPREFIX=str(root), WINEARCH="win64", WINEDEBUG="-all",
                        WINEDLLOVERRIDES="mscoree,mshtml=")

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("wine") and shutil.which("wineserver") and shutil.which("wineboot"))

    def boot(self) -> None:
        subprocess.run(["wineserver", "--persistent"], env=self.env, timeout=HANG, check=True)
        self._call(["wineboot", "--init"])
        self.reg_set(r"HKCU\Software\Wine\Drivers", "Graphics", "null")
        self.set_windows("win10")

    def set_windows(self, version: str) -> None:
        """The Windows version Wine reports (win7, win10, ...)."""
        self.reg_set(r"HKCU\Software\Wine", "Version", version)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """A Windows program (a path of this system, or a name on Wine's PATH)."""
        return self._call(["wine", *args])

    def _call(self, command: list[str]) -> subprocess.CompletedProcess:
        # Files, not pipes: Wine's own services, started by the first program, would hold a pipe open.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            code = subprocess.run(command, env=self.env, stdout=out, stderr=err, timeout=HANG).returncode
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(command, code, out.read().decode(errors="replace"),
                                               err.read().decode(errors="replace"))

    @staticmethod
    def wait_until(condition: Callable[[], bool]) -> None:
        """For what a program finishes after it returned (Inno's uninstaller goes on from a copy in %TEMP%)."""
        deadline = time.monotonic() + HANG
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("wine: still not done, something hangs")
            time.sleep(0.1)

    def stop(self) -> None:
        """Ends the prefix's wine server and every program still running in it."""
        subprocess.run(["wineserver", "--kill"], env=self.env, timeout=HANG, check=False)
        subprocess.run(["wineserver", "--wait"], env=self.env, timeout=HANG, check=False)

    def expand(self, text: str) -> str:
        """``text`` with its %VARIABLES% filled in, as cmd.exe sees them."""
        return self.run("cmd", "/c", "echo", text).stdout.strip().strip('"')

    def unix(self, windows_path: str) -> Path:
        """The file of this system a Windows path (environment variables allowed) stands for."""
        out = self._call(["winepath", "-u", self.expand(windows_path)])
        return Path(out.stdout.strip()).resolve()

    def reg_set(self, key: str, name: str, data: str) -> None:
        args = ["reg", "add", key, "/d", data, "/f"] + (["/v", name] if name else ["/ve"])
        done = self.run(*args)
        assert done.returncode == 0, done.stdout + done.stderr

    def reg_delete(self, key: str) -> None:
        self.run("reg", "delete", key, "/f")

    def reg(self, key: str) -> dict[str, str] | None:
        """The values of one key (the default value under ""), or None when the key does not exist."""
        done = self.run("reg", "query", key)
        if done.returncode != 0:
            return None
        values: dict[str, str] = {}
        header = None
        for line in done.stdout.replace("\r", "").splitlines():
            if not line.strip():
                continue
            if not line.startswith(" "):
                if header is not None:  # the next block lists a subkey: stop at our own values
                    break
                header = line
                continue
            match = _VALUE.match(line)
            if match:
                name = "" if match.group(1) == "(Default)" else match.group(1)
                values[name] = match.group(3) or ""
        return values
