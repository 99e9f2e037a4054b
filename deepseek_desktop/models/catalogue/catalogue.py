"""The DeepSeek catalogue: which models exist, their architecture facts and their downloads.

The facts live in ``catalogue.json`` beside this module. Sizes there are approximate; ``downloads.sizes``
asks the Hub for the exact ones (and the real split-file names) and keeps them in a cache file, so the
next run without a network still shows the refreshed values.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...core.files.json_file import parse_json
from ...core.files.regular import read_regular_bytes
from ...core.paths import AppPaths
from ...core.vocabulary import DownloadSpec, ModelFormat, mlx_download
from ..errors import CatalogueError
from ..fit import Arch
from ..gguf.split import split_info, split_part_names, split_stem
from .drafts import DraftPair, parse_drafts

log = logging.getLogger(__name__)

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")
# The repositories' file listings the GGUF entries were checked against (refreshed by
# packaging/refresh_hub_listing.py; tests/test_hub_listing.py compares every entry with it).
LISTING_FILE = Path(__file__).with_name("hub_listing.json")
QUANT_ORDER = ("UD-IQ1_S", "UD-IQ2_XXS", "Q2_K_XS", "Q2_K", "UD-Q2_K_XL", "Q2_K_L", "Q3_K_M", "Q4_K_M", "UD-Q4_K_XL",
               "Q5_K_M", "Q6_K", "Q8_0")


@dataclass(frozen=True)
class GgufQuant:
    quant: str
    files: tuple[str, ...]  # every part, in order; one name for an unsplit file
    size: int  # bytes, all parts together
    exact: bool = False  # True once the Hub confirmed names and sizes

    @property
    def split(self) -> bool:
        return len(self.files) > 1

    @property
    def label(self) -> str:
        """What a download spec says after the model id: the quantisation."""
        return self.quant

    @property
    def model_format(self) -> ModelFormat:
        return ModelFormat.GGUF


@dataclass(frozen=True)
class MlxRepo:
    repo: str
    bits: int
    size: int
    exact: bool = False

    @property
    def label(self) -> str:
        """What a download spec says after the model id: ``mlx-4bit``."""
        return mlx_download(self.bits)

    @property
    def model_format(self) -> ModelFormat:
        return ModelFormat.MLX


@dataclass(frozen=True)
class CatalogueModel:
    id: str
    name: str
    family: str
    purpose: str  # "reasoning" | "chat" | "code"
    original_repo: str
    released: str
    params_total: int
    params_active: int
    context_length: int
    license: str
    arch: Arch
    gguf_repo: str = ""
    gguf: dict[str, GgufQuant] = field(default_factory=dict)
    mlx: tuple[MlxRepo, ...] = ()
    api_model: str = ""
    # How llama.cpp caches K/V for this repository's GGUFs of an MLA model: the compressed latent (files converted
    # after llama.cpp's MLA change of April 2025) or, for older files, every head's full key and value.
    gguf_mla_cache: bool = True

    @property
    def moe(self) -> bool:
        return self.params_active < self.params_total

    def spec(self, download: GgufQuant | MlxRepo) -> DownloadSpec:
        """How one of this model's downloads is named: ``model-id:Q4_K_M``, ``model-id:mlx-4bit``."""
        return DownloadSpec(self.id, download.label)

    def quant(self, name: str) -> GgufQuant:
        key = _match_quant(name, self.gguf)
        if key is None:
            raise CatalogueError("catalogue.unknown_quant", f"{self.id} has {sorted(self.gguf)}", model=self.id,
                               quant=name, available=", ".join(self.quants()) or "-")
        return self.gguf[key]

    def quants(self) -> list[str]:
        return sorted(self.gguf, key=lambda q: QUANT_ORDER.index(q) if q in QUANT_ORDER else 99)

    def mlx_repo(self, bits: int) -> MlxRepo:
        for m in self.mlx:
            if m.bits == bits:
                return m
        raise CatalogueError("catalogue.unknown_quant", f"{self.id} has MLX {[m.bits for m in self.mlx]}",
                           model=self.id, quant=f"MLX {bits}-bit",
                           available=", ".join(f"MLX {m.bits}-bit" for m in self.mlx) or "-")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "family": self.family, "purpose": self.purpose,
            "original_repo": self.original_repo, "released": self.released,
            "params_total": self.params_total, "params_active": self.params_active, "moe": self.moe,
            "context_length": self.context_length, "license": self.license, "api_model": self.api_model,
            "arch": self.arch.__dict__,
            "gguf": {"repo": self.gguf_repo, "quants": [
                {"quant": q.quant, "files": list(q.files), "size": q.size, "split": q.split, "exact": q.exact}
                for q in (self.gguf[k] for k in self.quants())]},
            "mlx": [m.__dict__ for m in self.mlx],
        }


PURPOSES = ("reasoning", "chat", "code")


@dataclass(frozen=True)
class Advice:
    """The catalogue's rule for advice a person would follow (its "advice" block): the slowest pace at
    which a model of each purpose is still usable, typical answer lengths for the expected wait, how much
    faster counts as fast, and the quantisation to prefer when the CPU does the work. The defaults only
    serve a catalogue built in code; ``load_catalogue`` requires the block."""

    min_tokens_per_s: dict[str, float] = field(default_factory=lambda: {"reasoning": 8.0, "chat": 5.0, "code": 5.0})
    answer_tokens: dict[str, int] = field(default_factory=lambda: {"reasoning": 1000, "chat": 300, "code": 300})
    fast_factor: float = 2.0
    cpu_quant: str = "Q4_K_M"

    def minimum(self, purpose: str) -> float:
        return self.min_tokens_per_s.get(purpose, self.min_tokens_per_s["chat"])

    def answer_length(self, purpose: str) -> int:
        return self.answer_tokens.get(purpose, self.answer_tokens["chat"])

    def to_dict(self) -> dict[str, Any]:
        return {"min_tokens_per_s": dict(self.min_tokens_per_s), "answer_tokens": dict(self.answer_tokens),
                "fast_factor": self.fast_factor, "cpu_quant": self.cpu_quant}


def parse_advice(d: Any) -> Advice:
    """The "advice" block, checked: every purpose has a positive minimum and answer length, "fast" is
    above the minimum, and the CPU quantisation is one llama.cpp knows."""
    if not isinstance(d, dict):
        raise ValueError("the catalogue has no \"advice\" block")
    mins, lengths = d["min_tokens_per_s"], d["answer_tokens"]
    if not (isinstance(mins, dict) and isinstance(lengths, dict)):
        raise ValueError("advice.min_tokens_per_s and advice.answer_tokens must map each purpose to a number")
    for purpose in PURPOSES:
        if not (isinstance(mins.get(purpose), (int, float)) and mins[purpose] > 0):
            raise ValueError(f"advice.min_tokens_per_s.{purpose} must be a positive number")
        if not (isinstance(lengths.get(purpose), int) and lengths[purpose] > 0):
            raise ValueError(f"advice.answer_tokens.{purpose} must be a positive whole number")
    factor = d["fast_factor"]
    if not (isinstance(factor, (int, float)) and factor > 1):
        raise ValueError("advice.fast_factor must be above 1")
    if d["cpu_quant"] not in QUANT_ORDER:
        raise ValueError(f"advice.cpu_quant must be one of {', '.join(QUANT_ORDER)}")
    return Advice({p: float(mins[p]) for p in PURPOSES}, {p: int(lengths[p]) for p in PURPOSES},
                  float(factor), str(d["cpu_quant"]))


@dataclass(frozen=True)
class Catalogue:
    models: tuple[CatalogueModel, ...]
    api_base_url: str = "https://api.deepseek.com"
    advice: Advice = field(default_factory=Advice)
    drafts: tuple[DraftPair, ...] = ()  # which small model drafts for which (speculative decoding)

    def drafters_for(self, catalog_id: str, architecture: str = "", tokenizer_pre: str = "") -> list[str]:
        """The catalogue ids of the models that draft for this one (a catalogue id, or an imported GGUF's
        architecture and pre-tokenizer), smallest first."""
        ids = {p.drafter for p in self.drafts if p.drafts_for(catalog_id, architecture, tokenizer_pre)}
        return sorted(ids, key=lambda i: self.get(i).params_total)

    def get(self, model_id: str) -> CatalogueModel:
        wanted = model_id.strip().lower()
        for m in self.models:
            if m.id == wanted or m.name.lower() == wanted:
                return m
        raise CatalogueError("catalogue.unknown_model", f"no catalogue entry {model_id!r}", model=model_id)

    def resolve(self, spec: str) -> tuple[CatalogueModel, GgufQuant | MlxRepo | None]:
        """``"deepseek-r1-distill-qwen-7b:Q4_K_M"`` -> (model, quant); ``":mlx-4bit"`` picks an MLX repo;
        without a quantisation the second item is None."""
        parsed = DownloadSpec.parse(spec)
        model = self.get(parsed.model)
        if not parsed.download:
            return model, None
        if parsed.mlx_bits is not None:
            return model, model.mlx_repo(parsed.mlx_bits)
        return model, model.quant(parsed.download)

    def with_hub_sizes(self, cached: dict[str, Any]) -> Catalogue:
        """Apply sizes and file names the Hub reported (``downloads.sizes.refresh_sizes`` or the cache file)."""
        return replace(self, models=tuple(_apply_listing(m, cached) for m in self.models))


def load_catalogue(path: str | os.PathLike[str] | None = None, *, hub_cache: str | os.PathLike[str] | None = None
                 ) -> Catalogue:
    """Read the catalogue; with ``hub_cache``, apply the sizes an earlier refresh saved there."""
    p = Path(path) if path else CATALOGUE_FILE
    try:
        data = parse_json(read_regular_bytes(p))  # --catalogue may name any path
        models = tuple(_model(m) for m in data["models"])
        catalogue = Catalogue(models, data.get("api", {}).get("base_url", "https://api.deepseek.com"),
                              parse_advice(data.get("advice")),
                              parse_drafts(data.get("drafts"), {m.id for m in models}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogueError("catalogue.unreadable", f"{type(exc).__name__}: {exc}", path=p) from exc
    if hub_cache:
        catalogue = catalogue.with_hub_sizes(read_hub_cache(Path(hub_cache)))
    return catalogue


def hub_cache_file(paths: AppPaths) -> Path:
    """Where ``downloads.sizes.refresh_sizes`` keeps what the Hub said, so that offline runs use it too."""
    return paths.cache_dir / "hub_sizes.json"


def read_hub_cache(path: Path) -> dict[str, Any]:
    try:
        data = parse_json(read_regular_bytes(path))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # no cache yet, or damaged: the catalogue's own values apply


def _model(d: dict[str, Any]) -> CatalogueModel:
    gguf = d.get("gguf") or {}
    quants = {}
    for name, q in (gguf.get("quants") or {}).items():
        quants[name] = GgufQuant(name, split_part_names(q["file"], int(q.get("parts", 1))), int(q["size"]))
    return CatalogueModel(
        id=d["id"], name=d["name"], family=d["family"], purpose=d["purpose"], original_repo=d["original_repo"],
        released=d["released"], params_total=int(d["params_total"]), params_active=int(d["params_active"]),
        context_length=int(d["context_length"]), license=d["license"], arch=Arch(**d["arch"]),
        gguf_repo=gguf.get("repo", ""), gguf=quants,
        mlx=tuple(MlxRepo(m["repo"], int(m["bits"]), int(m["size"])) for m in d.get("mlx") or ()),
        api_model=d.get("api_model", ""), gguf_mla_cache=bool(gguf.get("mla_cache", True)),
    )


def load_stored_listing(path: Path | None = None) -> dict[str, Any]:
    """The stored listings: ``{repo: {"source", "checked", "files": [{"name", "size"}]}}`` (size None: not known)."""
    return parse_json((path or LISTING_FILE).read_text(encoding="utf-8"))["repos"]


def _match_quant(name: str, quants: dict[str, Any]) -> str | None:
    wanted = name.strip().upper().replace("-", "_")
    for key in quants:
        if key.upper().replace("-", "_") == wanted:
            return key
    return None


def _apply_listing(model: CatalogueModel, listings: dict[str, Any]) -> CatalogueModel:
    changes: dict[str, Any] = {}
    files = (listings.get(model.gguf_repo) or {}).get("files")
    if files:
        sizes = {f["name"]: int(f["size"]) for f in files}
        new = {}
        for key, q in model.gguf.items():
            names = _hub_files_for(q, sizes)
            new[key] = GgufQuant(key, names, sum(sizes[n] for n in names), True) if names else q
        changes["gguf"] = new
    mlx = []
    for r in model.mlx:
        listing = listings.get(r.repo)
        if listing and listing.get("files"):
            mlx.append(MlxRepo(r.repo, r.bits, sum(int(f["size"]) for f in listing["files"]), True))
        else:
            mlx.append(r)
    changes["mlx"] = tuple(mlx)
    return replace(model, **changes)


def _hub_files_for(q: GgufQuant, sizes: dict[str, int]) -> tuple[str, ...]:
    """The repository's files for this quantisation: the listed names when they exist, otherwise the
    parts the Hub has under the same name stem (a split count or folder that changed upstream)."""
    if all(n in sizes for n in q.files):
        if not q.split:
            return q.files
        split = split_info(q.files[0])
        total = split[2] if split else len(q.files)
        if total == len(q.files):
            return q.files
    stem_name = split_stem(q.files[0]).rsplit("/", 1)[-1]
    parts = sorted(n for n in sizes if split_info(n) and split_stem(n).rsplit("/", 1)[-1] == stem_name)
    if parts:
        return tuple(parts)
    single = [n for n in sizes if n.rsplit("/", 1)[-1] == f"{stem_name}.gguf"]
    return tuple(single[:1])
