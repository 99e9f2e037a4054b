"""Where a download may write: the Hub's file names, the folders on the way, a partial file's place.

Names from the Hub's listing are checked once, when a plan is made; the folders on the way (the owner's,
``.downloads``, a repository's own) are checked for symbolic links that lead out of the models folder
before a byte is written; a partial file is never opened through a link, and what stands in its place
that is not a file is taken away.
"""

from __future__ import annotations

import logging
import stat
import unicodedata
from pathlib import Path

from ..errors import DownloadError, StorageError

log = logging.getLogger(__name__)

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# The longest name of a folder entry most file systems take is 255 bytes; the partial file's note adds this.
_NAME_MAX = 255 - len(".part.json")
# Control and format characters (DEL, C1, bidirectional overrides such as U+202E), surrogates, line breaks.
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def check_remote_name(repo: str, name: str) -> None:
    """Refuse a file name from the Hub's listing that could land outside the model's folder, that no file
    system would take, or that shows as something else than it is: it must be a relative POSIX path of
    plain segments (no ``..``, no absolute or drive path, no backslash, no control or format character),
    each short enough to be written beside its note."""
    segments = name.split("/")
    problem = ""
    if not name or "\\" in name or any(unicodedata.category(c) in _HIDDEN for c in name):
        problem = "empty, a backslash, or a control or format character"
    elif any(len(seg.encode("utf-8")) > _NAME_MAX for seg in segments):
        problem = f"a part longer than {_NAME_MAX} bytes"
    elif name.startswith("/") or ":" in name:
        problem = "an absolute or drive path (or a colon)"
    elif any(seg in ("", ".", "..") for seg in segments):
        problem = "an empty, '.' or '..' segment"
    elif any(seg.split(".")[0].upper() in _WINDOWS_RESERVED or seg.endswith((" ", ".")) for seg in segments):
        problem = "a name Windows reserves"
    if problem:
        log.warning("refused file name %r listed in %s: %s", name, repo, problem)
        raise DownloadError("download.unsafe_name", f"{name!r} in the listing of {repo}: {problem}",
                            repo=repo, file=repr(name))


def check_inside(models: Path, roots: tuple[Path, Path], names: list[str]) -> None:
    """``roots``: the model's folder and its staging folder, where ``names`` are written. The names are
    plain, but a folder on the way (``<owner>``, ``.downloads``, a folder of the repository)
    may be a symbolic link: every place written to must be inside the models folder itself, not only inside
    its own resolved parent. A link is the folder's doing, not the server's: the message names it. A
    finished file that is a link is refused too (a partial one is taken away: ``clear_the_way``)."""
    base = models.resolve()
    dest = roots[0]
    for root in roots:
        for name in names:
            target = root / name
            for folder in (*reversed(target.parent.relative_to(models).parents), target.parent.relative_to(models)):
                place = models / folder
                if place != models and place.is_symlink() and not place.resolve().is_relative_to(base):
                    raise StorageError("storage.link_outside", f"{place} is a link to {place.resolve()}",
                                       path=place, folder=models)
            if not target.parent.resolve().is_relative_to(base):
                raise StorageError("storage.link_outside", f"{target.parent} resolves to {target.parent.resolve()}",
                                   path=target.parent, folder=models)
            if root == dest and target.is_symlink():
                raise StorageError("storage.link_in_place", f"{target} is a link to {target.resolve()}",
                                   path=target)


def part_size(part: Path) -> int:
    """The size of a partial file; 0 when there is none, or something else than a file is in its place
    (a link is never followed)."""
    try:
        st = part.lstat()
    except (OSError, ValueError):
        return 0
    return st.st_size if stat.S_ISREG(st.st_mode) else 0


def clear_the_way(part: Path) -> None:
    """A partial file is ours: a link, a FIFO or another non-file in its place (planted, or left by
    something else) is taken away, never followed or opened; the file then starts again."""
    try:
        st = part.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DownloadError("download.failed", f"{part}: {exc}", partial_kept=True, file=part.name) from exc
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise StorageError("storage.exists", f"{part} is a folder", path=part)
    log.warning("%s is not a file (mode %o); removed, the file starts again", part, st.st_mode)
    part.unlink()
