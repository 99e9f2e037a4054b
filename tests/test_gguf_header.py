"""Reading GGUF headers: the real Gemma file, files written by gguf-py, and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_gguf
from gguf_craft import MALFORMED, SPARSE, huge_array, nested_arrays, sparse_long_string

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
    text, path = err.value.user_text(), bad_models[kind]
    assert str(path) in text or (path.name in text and f"(in {path.parent})" in text)


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
    assert err.value.user_text() == (f"The header of {path.name} is damaged: it cannot be read as a GGUF model "
                                     f"file (in {path.parent}).")


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


def test_a_truncated_file_names_the_file_and_how_much_is_there(bad_models, gemma_path):
    with pytest.raises(ModelFileError) as err:
        check_gguf(bad_models["half"])
    text = err.value.user_text()
    assert err.value.message_id == "model.incomplete"
    # the file's own name (not the name in its metadata), and no "download it again" for a file from elsewhere
    assert text == f"gemma-cut-in-half.gguf is incomplete: 127 MB of 253 MB are there (in {bad_models['half'].parent})."


def test_a_file_that_is_no_gguf_says_why(bad_models, tmp_path):
    with pytest.raises(ModelFileError) as err:
        check_gguf(bad_models["random"])
    assert err.value.user_text() == (f"Not a GGUF model file: random-bytes.gguf does not begin with the GGUF "
                                     f"signature (in {bad_models['random'].parent}).")
    future = tmp_path / "future.gguf"
    future.write_bytes(b"GGUF" + (9).to_bytes(4, "little") + bytes(64))
    with pytest.raises(ModelFileError) as err:
        check_gguf(future)
    assert err.value.message_id == "model.gguf_version"
    assert err.value.user_text().startswith("future.gguf is a GGUF file of version 9; this app reads versions 1 to 3")


def test_a_relative_path_names_its_folder_not_a_dot(bad_models, monkeypatch):
    """`deepseek-desktop models import x.gguf` in the file's folder: the message says which folder."""
    monkeypatch.chdir(bad_models["random"].parent)
    with pytest.raises(ModelFileError) as err:
        check_gguf(Path(bad_models["random"].name))
    assert err.value.user_text().endswith(f"(in {bad_models['random'].parent}).")


# -- bounded work: sparse files that claim millions of items --------------------------------------------

# What reading one header may cost at most, whatever the file claims: steps of the reader (typed values,
# strings read or skipped) and bytes of text decoded. The Gemma file (262k tokens) takes about 300k steps.
WORK_BOUND = 5_000_000
TEXT_BOUND = 80 << 20


class TooMuchWork(Exception):
    """Raised by the counting reader past the bounds (not a ValueError: the reader must not catch it)."""


@pytest.fixture
def work(monkeypatch):
    """Counts the header reader's work and stops it past the bounds, so that a reader without bounds fails
    here at once instead of walking the claimed millions of items."""
    from deepseek_desktop.models.gguf import values

    counts = {"steps": 0, "text": 0}

    def spend(steps: int = 0, text: int = 0) -> None:
        counts["steps"] += steps
        counts["text"] += text
        if counts["steps"] > WORK_BOUND or counts["text"] > TEXT_BOUND:
            raise TooMuchWork(dict(counts))

    unpack, string, skip = values.Cursor.unpack, values.Cursor.string, values.Cursor.skip_strings

    def counted_unpack(self, fmt):
        spend(steps=1)
        return unpack(self, fmt)

    def counted_string(self, *args):
        text = string(self, *args)
        spend(steps=1, text=len(text))
        return text

    def counted_skip(self, n):
        spend(steps=n)
        return skip(self, n)

    monkeypatch.setattr(values.Cursor, "unpack", counted_unpack)
    monkeypatch.setattr(values.Cursor, "string", counted_string)
    monkeypatch.setattr(values.Cursor, "skip_strings", counted_skip)
    return counts


@pytest.mark.parametrize("claimed", [1 << 22, 1 << 26])
@pytest.mark.parametrize("kind", sorted(SPARSE))
def test_a_sparse_header_claiming_millions_of_items_costs_bounded_work(tmp_path, work, kind, claimed):
    path = SPARSE[kind](tmp_path / f"{kind}.gguf", claimed)
    assert path.stat().st_blocks * 512 < 1 << 20, "a few kilobytes on disk"
    with pytest.raises(ModelFileError) as err:
        read_gguf_header(path)
    assert err.value.message_id == "model.bad_header", err.value.detail
    assert work["steps"] <= WORK_BOUND and work["text"] <= TEXT_BOUND


def test_a_string_of_a_gigabyte_is_not_decoded(tmp_path, work):
    path = sparse_long_string(tmp_path / "long-name.gguf", 1 << 30)
    with pytest.raises(ModelFileError) as err:
        read_gguf_header(path)
    assert err.value.message_id == "model.bad_header" and work["text"] <= TEXT_BOUND


def test_a_real_header_is_well_inside_the_bounds(gemma_path, work):
    header = check_gguf(gemma_path)
    assert header.architecture == "gemma3"
    assert work["steps"] < WORK_BOUND / 4, work
