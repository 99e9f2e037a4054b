"""Translation workflow.

    python packaging/i18n.py update    # pyside6-lupdate: refresh i18n/*.ts from the code
    python packaging/i18n.py compile   # pyside6-lrelease: i18n/*.ts -> deepseek_desktop/translations/*.qm
    python packaging/i18n.py check     # fail if German has unfinished or missing translations

German is a full translation; the English file holds only the plural forms ("%n token(s)").
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "deepseek_desktop"
TS_DIR = ROOT / "i18n"
QM_DIR = PACKAGE / "translations"
LANGS = {"de": [], "en": ["-pluralonly"]}


def tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (it comes with PySide6)")
    return found


def sources() -> list[str]:
    """Every file with user-visible text: the UI, and Qt-free modules that mark labels for lupdate."""
    files = sorted(PACKAGE.glob("ui/**/*.py")) + [PACKAGE / "app.py"]
    files += [p for p in sorted(PACKAGE.glob("core/**/*.py")) + sorted(PACKAGE.glob("models/**/*.py"))
              if "QT_TRANSLATE_NOOP(" in p.read_text(encoding="utf-8")]
    return [str(p.relative_to(ROOT)) for p in files if p.exists()]


def ts_file(lang: str) -> Path:
    return TS_DIR / f"deepseek_desktop_{lang}.ts"


def update(target_dir: Path | None = None) -> list[Path]:
    out_dir = target_dir or TS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang, flags in LANGS.items():
        ts = out_dir / ts_file(lang).name
        if target_dir is not None and ts_file(lang).exists():
            shutil.copy(ts_file(lang), ts)  # refresh a copy, to compare with what is committed
        subprocess.run([tool("pyside6-lupdate"), *sources(), *flags, "-no-obsolete", "-locations", "none",
                        "-target-language", lang, "-ts", str(ts)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        written.append(ts)
    return written


def compile_all() -> None:
    QM_DIR.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        subprocess.run([tool("pyside6-lrelease"), str(ts_file(lang)), "-qm",
                        str(QM_DIR / f"deepseek_desktop_{lang}.qm")], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)


def problems(ts: Path) -> list[str]:
    """Entries that are unfinished, empty or missing a plural form."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for msg in context.iter("message"):
            source = msg.findtext("source")
            tr = msg.find("translation")
            forms = [f.text for f in tr.iter("numerusform")] if tr is not None else []
            text = tr.text if tr is not None else None
            if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete") or not (forms or text):
                out.append(f"{name}: {source!r}")
            elif msg.get("numerus") == "yes" and (len(forms) < 2 or not all(forms)):
                out.append(f"{name}: {source!r} (plural forms)")
    return out


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else "check"
    if cmd == "update":
        update()
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        bad = problems(ts_file("de")) + problems(ts_file("en"))
        for line in bad:
            print("untranslated:", line)
        raise SystemExit(1 if bad else 0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
