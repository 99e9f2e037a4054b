"""The Hugging Face Hub as the model manager sees it: a repository's file listing and error translation.

huggingface_hub is imported inside the functions: it pulls in an HTTP stack, and the GUI must start
in under a second. ``HF_ENDPOINT`` is read when a call is made (huggingface_hub reads it once, at its
import), and the endpoint is always passed explicitly.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import DownloadError

DEFAULT_ENDPOINT = "https://huggingface.co"


def hub_endpoint(endpoint: str | None = None) -> str:
    return (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


@dataclass(frozen=True)
class RepoFile:
    name: str
    size: int
    sha256: str | None  # LFS files: the SHA-256 of the content
    blob_id: str | None  # git blob id (SHA-1 of "blob <size>\0" + content), for small non-LFS files


@dataclass(frozen=True)
class RepoListing:
    repo: str
    revision: str  # the commit the listing belongs to; downloads are pinned to it
    files: tuple[RepoFile, ...]

    def file(self, name: str) -> RepoFile:
        for f in self.files:
            if f.name == name:
                return f
        raise DownloadError("download.file_not_found", f"{name} not in the listing of {self.repo}",
                            repo=self.repo, file=name)

    def to_cache(self) -> dict[str, Any]:
        return {"revision": self.revision, "files": [{"name": f.name, "size": f.size} for f in self.files]}


def repo_listing(repo: str, *, endpoint: str | None = None, revision: str | None = None,
                 timeout: float = 15.0) -> RepoListing:
    """``HfApi.model_info(files_metadata=True)``: names, sizes and hashes of every file."""
    from huggingface_hub import HfApi

    url = hub_endpoint(endpoint)
    with hub_errors(url, repo):
        info = HfApi(endpoint=url).model_info(repo, revision=revision, files_metadata=True, timeout=timeout)
    files = []
    for s in info.siblings or []:
        sha256 = s.lfs.sha256 if s.lfs else None
        size = s.size if s.size is not None else (s.lfs.size if s.lfs else 0)
        files.append(RepoFile(s.rfilename, int(size or 0), sha256, s.blob_id))
    return RepoListing(repo, info.sha or revision or "main", tuple(files))


@contextlib.contextmanager
def hub_errors(url: str, repo: str, file: str = "") -> Iterator[None]:
    """Turn huggingface_hub's and httpx's exceptions into ``DownloadError`` with a message id."""
    import httpx2
    from huggingface_hub import errors as hf

    try:
        yield
    except hf.OfflineModeIsEnabled as exc:
        raise DownloadError("download.no_network", f"HF_HUB_OFFLINE is set: {exc}", url=url) from exc
    except hf.GatedRepoError as exc:
        raise DownloadError("download.refused", _status(exc), repo=repo) from exc
    except hf.RepositoryNotFoundError as exc:
        # The Hub answers 401 for a private or missing repository alike.
        raise DownloadError("download.repo_not_found", _status(exc), repo=repo) from exc
    except (hf.RemoteEntryNotFoundError, hf.EntryNotFoundError) as exc:
        raise DownloadError("download.file_not_found", _status(exc), repo=repo, file=file) from exc
    except hf.HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            raise DownloadError("download.refused", _status(exc), repo=repo) from exc
        raise DownloadError("download.failed", _status(exc), file=file or repo) from exc
    except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.ProxyError) as exc:
        raise DownloadError("download.no_network", f"{type(exc).__name__}: {exc}", url=url) from exc
    except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as exc:
        raise DownloadError("download.interrupted", f"{type(exc).__name__}: {exc}", partial_kept=True,
                            file=file or repo) from exc
    except hf.HFValidationError as exc:  # a repo id huggingface_hub's validators reject
        raise DownloadError("download.repo_not_found", str(exc), repo=repo) from exc


def _status(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", "?")
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"HTTP {status}: {first_line}"
