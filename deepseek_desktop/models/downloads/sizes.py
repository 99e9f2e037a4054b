"""The catalogue's download sizes and file names, refreshed from the Hub and cached for offline runs."""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ...core.files.atomic import write_atomic
from ..catalogue.catalogue import Catalogue, read_hub_cache
from ..errors import DownloadError
from .hub import repo_listing

log = logging.getLogger(__name__)


def refresh_sizes(catalogue: Catalogue, *, endpoint: str | None = None,
                  cache_file: str | os.PathLike[str] | None = None, timeout: float = 10.0) -> tuple[Catalogue, bool]:
    """Ask the Hub for every repository's file listing. Returns (catalogue, refreshed).

    Offline (the first request cannot connect) it stops at once and returns the catalogue unchanged.
    A repository the Hub does not know keeps its catalogue values.
    """
    repos = sorted({m.gguf_repo for m in catalogue.models if m.gguf_repo} | {r.repo for m in catalogue.models
                                                                           for r in m.mlx})
    listings: dict[str, Any] = {}
    try:
        first = repo_listing(repos[0], endpoint=endpoint, timeout=timeout)
        listings[repos[0]] = first.to_cache()
    except DownloadError as exc:
        if exc.message_id in ("download.no_network", "download.interrupted"):
            log.info("Hub not reachable, catalogue sizes stay as they are: %s", exc.detail)
            return catalogue, False
        log.info("%s: %s", repos[0], exc.detail)

    def one(repo: str) -> tuple[str, dict[str, Any] | None]:
        try:
            return repo, repo_listing(repo, endpoint=endpoint, timeout=timeout).to_cache()
        except DownloadError as exc:
            log.info("%s: %s", repo, exc.detail)
            return repo, None

    with ThreadPoolExecutor(max_workers=6) as pool:
        for repo, listing in pool.map(one, repos[1:]):
            if listing is not None:
                listings[repo] = listing
    if cache_file:
        cache_path = Path(cache_file)
        merged = read_hub_cache(cache_path) | listings
        write_atomic(cache_path, json.dumps(merged).encode("utf-8"))
    return catalogue.with_hub_sizes(listings), bool(listings)
