"""The domain's words: each is its plain word in files, JSON and text, and each has what it is shown as."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from deepseek_desktop.core.vocabulary import DownloadSpec, Engine, FitVerdict, ModelFormat, SpeedLevel


def test_a_word_is_its_value_in_text_json_and_sqlite():
    assert f"{Engine.LLAMACPP}" == str(Engine.LLAMACPP) == "llamacpp"
    assert json.dumps({"engine": Engine.MLX, "fit": FitVerdict.NO_FIT}) == '{"engine": "mlx", "fit": "no_fit"}'
    assert Engine("remote") is Engine.REMOTE and Engine.SIMULATOR == "simulator"
    assert {"llamacpp": 1}[Engine.LLAMACPP] == 1 and {Engine.LLAMACPP: 1}["llamacpp"] == 1
    with sqlite3.connect(":memory:") as db:
        assert db.execute("SELECT ?", (Engine.LLAMACPP,)).fetchone() == ("llamacpp",)


def test_engines_and_the_formats_they_load(tmp_path: Path):
    assert Engine.LLAMACPP.model_format is ModelFormat.GGUF and Engine.MLX.model_format is ModelFormat.MLX
    assert Engine.REMOTE.model_format is None and not Engine.SIMULATOR.runs_files
    assert Engine.for_format("gguf") is Engine.LLAMACPP and Engine.for_format("safetensors") is None
    assert Engine.for_path(tmp_path) is Engine.MLX and Engine.for_path(tmp_path / "m.gguf") is Engine.LLAMACPP
    assert [e.shown_name for e in Engine] == ["llama.cpp", "MLX", "remote", "simulator"]


def test_every_verdict_and_level_has_its_words_label_and_colour_and_the_verdicts_are_ordered():
    for word in (*FitVerdict, *SpeedLevel):
        assert word.face.words and word.face.label and word.face.colour.startswith("#")
    assert sorted(FitVerdict, key=lambda v: v.rank) == [FitVerdict.GPU, FitVerdict.PARTIAL, FitVerdict.CPU,
                                                        FitVerdict.NO_FIT]
    assert [v for v in FitVerdict if not v.runs] == [FitVerdict.NO_FIT]
    assert [level for level in SpeedLevel if level.usable] == [SpeedLevel.FAST, SpeedLevel.USABLE]


@pytest.mark.parametrize(("text", "model", "download", "bits"), [
    ("deepseek-r1-distill-qwen-7b:Q4_K_M", "deepseek-r1-distill-qwen-7b", "Q4_K_M", None),
    ("deepseek-r1:mlx-4bit", "deepseek-r1", "mlx-4bit", 4),
    ("deepseek-r1:MLX_8_bit", "deepseek-r1", "mlx-8bit", 8),
    ("deepseek-r1:mlx4bit", "deepseek-r1", "mlx-4bit", 4),
    ("deepseek-r1", "deepseek-r1", "", None),
])
def test_a_download_spec_is_parsed_and_written_one_way(text, model, download, bits):
    spec = DownloadSpec.parse(text)
    assert (spec.model, spec.download, spec.mlx_bits) == (model, download, bits)
    assert DownloadSpec.parse(spec.format()) == spec and str(spec) == spec.format()
    assert spec.format() == (f"{model}:{download}" if download else model)
