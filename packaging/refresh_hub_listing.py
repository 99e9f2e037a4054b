"""Refresh the stored Hub listings the catalogue's GGUF entries are checked against.

    python packaging/refresh_hub_listing.py [--endpoint URL] [--output PATH]

Asks the Hub API (``model_info`` with file metadata, as the app's size refresh does) for every GGUF repository
in the catalogue and writes deepseek_desktop/models/catalogue/hub_listing.json with exact names and sizes. Then
it compares the catalogue with what the Hub has, and prints every entry whose files are missing there (exit 1):
the catalogue is then edited by hand, since a file that moved upstream needs a person to choose its successor.
``HF_ENDPOINT`` or ``--endpoint`` points it at another hub (the tests use a local one). A repository the Hub
cannot answer for keeps its stored listing; without a network nothing is written (exit 2).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deepseek_desktop.models.catalogue.catalogue import (  # noqa: E402
    LISTING_FILE,
    Catalogue,
    load_catalogue,
)


def missing_files(catalogue: Catalogue, repos: dict[str, Any]) -> list[str]:
    """``repo: file`` for every catalogue GGUF part the listing does not have."""
    out = []
    for model in catalogue.models:
        names = {f["name"] for f in (repos.get(model.gguf_repo) or {}).get("files", [])}
        for key in model.quants():
            out += [f"{model.gguf_repo}: {n} ({model.id}:{key})" for n in model.gguf[key].files if n not in names]
    return out


def refresh(catalogue: Catalogue, stored: dict[str, Any], endpoint: str | None, timeout: float = 20.0
            ) -> tuple[dict[str, Any], int]:
    """(new repos block, how many repositories the Hub answered for)."""
    from deepseek_desktop.models.downloads.hub import hub_endpoint, repo_listing
    from deepseek_desktop.models.errors import DownloadError

    repos = dict(stored)
    answered = 0
    today = datetime.date.today().isoformat()
    for repo in sorted({m.gguf_repo for m in catalogue.models if m.gguf_repo}):
        try:
            listing = repo_listing(repo, endpoint=endpoint, timeout=timeout)
        except DownloadError as exc:
            if exc.message_id == "download.no_network":
                raise
            print(f"{repo}: {exc.detail}", file=sys.stderr)
            continue
        answered += 1
        repos[repo] = {
            "source": f"the Hub API ({hub_endpoint(endpoint)}/api/models/{repo}, revision {listing.revision})",
            "checked": today,
            "files": [{"name": f.name, "size": f.size} for f in listing.files if f.name.endswith(".gguf")],
        }
    return repos, answered


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint", help="the hub to ask (default: HF_ENDPOINT or huggingface.co)")
    ap.add_argument("--output", type=Path, default=LISTING_FILE, help="where to write the listing")
    ap.add_argument("--catalogue", type=Path, default=None, help="another catalogue file (tests)")
    args = ap.parse_args(argv)
    from deepseek_desktop.models.errors import DownloadError

    catalogue = load_catalogue(args.catalogue)
    document = json.loads(args.output.read_text(encoding="utf-8")) if args.output.is_file() else {"schema": 1}
    try:
        repos, answered = refresh(catalogue, document.get("repos", {}), args.endpoint)
    except DownloadError as exc:
        print(f"the Hub cannot be reached, nothing written: {exc.detail}", file=sys.stderr)
        return 2
    document["repos"] = dict(sorted(repos.items()))
    args.output.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{answered} repositories refreshed into {args.output}")
    missing = missing_files(catalogue, repos)
    for line in missing:
        print(f"missing on the Hub: {line}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
