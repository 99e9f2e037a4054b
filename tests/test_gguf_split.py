"""The one pattern for split GGUF names, as the catalogue, the models folder and launch commands use it."""

from __future__ import annotations

import pytest
from conftest import make_gguf

from deepseek_desktop.core.errors import ModelFileError
from deepseek_desktop.models.gguf.split import (
    gguf_parts,
    split_glob,
    split_info,
    split_part_names,
    split_stem,
)


def test_split_names():
    assert split_info("dir/DeepSeek-R1-Q2_K-00002-of-00005.gguf") == ("dir/DeepSeek-R1-Q2_K", 2, 5)
    assert split_info("model.gguf") is None
    assert split_info("-00001-of-00002.gguf") is None  # no stem
    assert split_info("m-1-of-2.gguf") is None and split_info("m-00001-of-00002.safetensors") is None
    assert split_part_names("d/m-00001-of-00003.gguf", 3) == (
        "d/m-00001-of-00003.gguf", "d/m-00002-of-00003.gguf", "d/m-00003-of-00003.gguf")
    assert split_part_names("m.gguf", 1) == ("m.gguf",)
    assert split_stem("d/m-00001-of-00003.gguf") == "d/m" and split_stem("m.gguf") == "m"
    assert split_glob("m-00001-of-00003.gguf") == "m-*.gguf"


def test_gguf_parts_of_real_files(tmp_path):
    files = [make_gguf(tmp_path / f"big-{i:05d}-of-00002.gguf") for i in (1, 2)]
    assert gguf_parts(tmp_path / "big-00002-of-00002.gguf") == files
    single = make_gguf(tmp_path / "one.gguf")
    assert gguf_parts(single) == [single]
    files[1].unlink()
    with pytest.raises(ModelFileError) as caught:
        gguf_parts(files[0])
    assert caught.value.message_id == "model.missing_part"
