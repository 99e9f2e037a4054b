"""Reading GGUF headers: the real Gemma file, files written by gguf-py, and broken files."""

from __future__ import annotations

import pytest
from conftest import make_gguf
from gguf_craft import MALFORMED, huge_array, nested_arrays

from deepseek_desktop.core.errors import ModelFileError
from deepseek_desktop.models.gguf.header import check_gguf, read_gguf_header


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
        ("half", "model.incomplete"),
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
    assert err.value.message_id == "model.incomplete"


def test_a_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelFileError) as err:
        check_gguf(tmp_path)
    assert err.value.message_id == "model.is_folder"
    assert err.value.user_text() == f"This is a folder, not a GGUF model file: {tmp_path}"


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_every_malformed_header_is_a_model_file_error(tmp_path, kind):
    """Nested arrays, absurd array sizes, unknown tensor types, values of the wrong type: one clear
    error, never a RecursionError, TypeError or ValueError from deep inside."""
    path = MALFORMED[kind](tmp_path / f"{kind}.gguf")
    with pytest.raises(ModelFileError) as err:
        check_gguf(path)
    assert err.value.message_id == "model.bad_header", err.value.detail
    assert err.value.user_text() == f"The header of the model file is damaged or malformed: {path}"


def test_the_nesting_real_files_use_still_reads(tmp_path):
    ok = nested_arrays(tmp_path / "two-deep.gguf", 2)
    assert read_gguf_header(ok).metadata["x.deep"] == [[1]]


def test_an_array_longer_than_the_file_is_truncation(tmp_path):
    with pytest.raises(ModelFileError) as err:
        check_gguf(huge_array(tmp_path / "long.gguf", 1 << 20))
    assert err.value.message_id == "model.truncated"


def test_per_layer_values_of_a_deep_model_are_kept(tmp_path):
    """A model with more layers than the short-array limit still has its per-layer head counts read."""
    import numpy as np
    from gguf import GGUFWriter

    p = tmp_path / "deep.gguf"
    writer = GGUFWriter(str(p), "llama")
    writer.add_block_count(80)
    writer.add_head_count([64] * 80)
    writer.add_head_count_kv([8] * 80)
    writer.add_tensor("t.weight", np.ones((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    summary = check_gguf(p).summary()
    assert summary["head_count"] == 64 and summary["head_count_kv"] == 8


def test_a_truncated_file_names_the_model_and_how_much_is_there(bad_models, gemma_path):
    with pytest.raises(ModelFileError) as err:
        check_gguf(bad_models["half"])
    text = err.value.user_text()
    assert err.value.message_id == "model.incomplete"
    assert text.startswith("Gemma 3 270m: the model file is incomplete (truncated), 127 MB of 253 MB present")
    assert "download it again" in text and str(bad_models["half"]) in text
