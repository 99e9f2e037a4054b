"""Reading GGUF headers: the real Gemma file, files written by gguf-py, and broken files."""

from __future__ import annotations

import pytest
from conftest import make_gguf

from deepseek_desktop.core.errors import ModelFileError
from deepseek_desktop.models.gguf_header import check_gguf, read_gguf_header


def test_gemma_header(gemma_path):
    h = check_gguf(gemma_path)
    s = h.summary()
    assert s["architecture"] == "gemma3"
    assert s["quantization"] == "Q4_K_M"
    assert s["block_count"] == 18
    assert s["context_length"] == 32768
    assert s["has_chat_template"] is False
    assert 250e6 < s["parameters"] < 290e6
    assert s["expected_size"] == s["file_size"], "the tensor table accounts for every byte"


def test_gguf_written_by_gguf_py(tmp_path):
    p = make_gguf(tmp_path / "m.gguf", arch="qwen2", n_tensors=3, chat_template="{{ messages }}")
    h = check_gguf(p)
    assert h.architecture == "qwen2"
    assert h.has_chat_template
    assert len(h.tensors) == 3 and h.tensors[0].shape == (16, 8)
    assert h.n_params == 3 * 8 * 16
    assert h.expected_size == p.stat().st_size


@pytest.mark.parametrize(
    "kind,message_id",
    [
        ("missing", "model.not_found"),
        ("random", "model.not_gguf"),
        ("magic", "model.not_gguf"),
        ("half", "model.truncated"),
        ("header_cut", "model.truncated"),
    ],
)
def test_bad_files(bad_models, kind, message_id):
    with pytest.raises(ModelFileError) as err:
        check_gguf(bad_models[kind])
    assert err.value.message_id == message_id
    assert str(bad_models[kind]) in err.value.user_text()


def test_truncated_is_reported_not_raised_by_read(bad_models):
    h = read_gguf_header(bad_models["half"])
    assert h.truncated and h.file_size < h.expected_size


def test_tensor_data_cut_by_one_byte(tmp_path):
    p = make_gguf(tmp_path / "m.gguf")
    data = p.read_bytes()
    p.write_bytes(data[:-1])
    with pytest.raises(ModelFileError) as err:
        check_gguf(p)
    assert err.value.message_id == "model.truncated"


def test_a_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelFileError) as err:
        check_gguf(tmp_path)
    assert err.value.message_id == "model.not_found"
