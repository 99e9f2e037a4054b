"""Local models: GGUF and MLX checks, import (register, copy, move), the registry and removal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import make_gguf
from hub_tmpfs import small_tmpfs_fixture  # noqa: F401 - the small_tmpfs fixture

from deepseek_desktop.core.errors import ModelFileError
from deepseek_desktop.models.errors import AlreadyInstalled, ModelManagerError, StorageError
from deepseek_desktop.models.local.importing import discover_unregistered, import_model
from deepseek_desktop.models.local.inspection import check_mlx_folder, estimate_local_model, inspect_gguf, inspect_model
from deepseek_desktop.models.local.registry import InstalledModel, ModelRegistry


@pytest.fixture
def models_dir(tmp_path) -> Path:
    return tmp_path / "models"


@pytest.fixture
def registry(tmp_path, models_dir) -> ModelRegistry:
    return ModelRegistry(tmp_path / "installed_models.json", models_dir)


@pytest.fixture(scope="module")
def mlx_folder(tmp_path_factory) -> Path:
    pytest.importorskip("mlx_lm")
    from mlx_tiny_model import build_tiny_deepseek

    return build_tiny_deepseek(tmp_path_factory.mktemp("mlx") / "tiny-deepseek")


def test_gemma_header_facts(gemma_path):
    info, headers = inspect_gguf(gemma_path)
    assert (info.format, info.architecture, info.quantization) == ("gguf", "gemma3", "Q4_K_M")
    assert info.context_length == 32768 and info.block_count == 18
    assert info.head_count == 4 and info.head_count_kv == 1 and info.embedding_length == 640
    assert info.has_chat_template is False and info.size_label == "270M"
    assert info.size == gemma_path.stat().st_size and info.parts == ()


@pytest.mark.parametrize("kind, message_id", [
    ("random", "model.not_gguf"), ("magic", "model.not_gguf"), ("half", "model.incomplete"),
    ("header_cut", "model.truncated"), ("missing", "model.not_found"),
])
def test_bad_files_are_refused_with_their_reason(bad_models, kind, message_id, registry, models_dir):
    with pytest.raises(ModelFileError) as info:
        import_model(bad_models[kind], models_dir, registry, mode="copy")
    assert info.value.message_id == message_id
    text, path = info.value.user_text(), bad_models[kind]
    assert str(path) in text or (path.name in text and f"(in {path.parent})" in text)  # the file, by its own name
    assert registry.list() == [] and not models_dir.exists()


def test_split_gguf_needs_every_part(tmp_path):
    for i in (1, 2, 3):
        make_gguf(tmp_path / f"big-{i:05d}-of-00003.gguf", n_tensors=i)
    info, headers = inspect_gguf(tmp_path / "big-00002-of-00003.gguf")
    assert len(info.parts) == 3 and info.path.endswith("big-00001-of-00003.gguf")
    assert info.parameters == (1 + 2 + 3) * 8 * 16
    (tmp_path / "big-00003-of-00003.gguf").unlink()
    with pytest.raises(ModelFileError) as caught:
        inspect_gguf(tmp_path / "big-00001-of-00003.gguf")
    assert caught.value.message_id == "model.missing_part" and "big-00003-of-00003.gguf" in caught.value.user_text()


def test_mlx_folder_checks(mlx_folder, tmp_path):
    info = check_mlx_folder(mlx_folder)
    assert info.format == "mlx" and info.architecture == "deepseek_v3" and info.has_chat_template
    assert inspect_model(mlx_folder).path == info.path

    def broken(name: str, damage) -> Path:
        copy = shutil.copytree(mlx_folder, tmp_path / name)
        damage(copy)
        return copy

    no_tok = broken("no-tokenizer", lambda p: (p / "tokenizer.json").unlink())
    no_cfg = broken("no-config", lambda p: (p / "config.json").unlink())
    deep_cfg = broken("deep-config", lambda p: (p / "config.json").write_text("[" * 100_000))
    cut = broken("cut", lambda p: _truncate(p / "model.safetensors"))
    for folder, message_id in ((no_tok, "model.not_mlx"), (no_cfg, "model.not_mlx"), (deep_cfg, "model.not_mlx"),
                               (cut, "model.truncated")):
        with pytest.raises(ModelFileError) as caught:
            check_mlx_folder(folder)
        assert caught.value.message_id == message_id, folder
    with pytest.raises(ModelFileError) as caught:
        check_mlx_folder(tmp_path / "nowhere")
    assert caught.value.message_id == "model.not_found"
    shards = broken("shards", lambda p: (p / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"a": "model.safetensors", "b": "model-00002-of-00002.safetensors"}})))
    with pytest.raises(ModelFileError) as caught:
        check_mlx_folder(shards)
    assert caught.value.message_id == "model.missing_part"


def test_estimate_from_the_files_on_disk(gemma_path, mlx_folder):
    gguf = estimate_local_model(gemma_path, 4096)
    assert gguf.n_ctx == 4096 and gguf.kv_cache_bytes == 18 * 4096 * (256 + 256) * 2
    config = json.loads((mlx_folder / "config.json").read_text())
    mlx = estimate_local_model(mlx_folder, 100_000)
    assert mlx.engine == "mlx" and mlx.n_ctx == config["max_position_embeddings"], "capped at the model's"
    latent = config["kv_lora_rank"] + config["qk_rope_head_dim"]
    assert mlx.kv_cache_bytes == config["num_hidden_layers"] * mlx.n_ctx * latent * 2, "MLA caches the latent"
    assert mlx.weights_bytes == (mlx_folder / "model.safetensors").stat().st_size


def _truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size - 100)


def test_register_in_place_copy_and_move(gemma_path, tmp_path, registry, models_dir):
    in_place = import_model(gemma_path, models_dir, registry)
    assert in_place.path == str(gemma_path.resolve()) and in_place.engine == "llamacpp"
    assert in_place.name == gemma_path.stem and in_place.architecture == "gemma3"

    with pytest.raises(AlreadyInstalled):
        import_model(gemma_path, models_dir, registry, mode="copy", name="gemma-copy")
    registry.forget(in_place.name)
    copied = import_model(gemma_path, models_dir, registry, mode="copy", name="gemma-copy")
    assert Path(copied.path) == (models_dir / gemma_path.name).resolve()
    assert Path(copied.path).read_bytes() == gemma_path.read_bytes() and gemma_path.exists()

    source = make_gguf(tmp_path / "to-move.gguf", chat_template="{{ messages }}")
    moved = import_model(source, models_dir, registry, mode="move")
    assert not source.exists() and Path(moved.path).parent == models_dir.resolve()
    assert {m.name for m in registry.list()} == {"gemma-copy", "to-move"}


def test_the_same_bytes_are_not_installed_twice(gemma_path, tmp_path, registry, models_dir):
    first = import_model(gemma_path, models_dir, registry)
    with pytest.raises(AlreadyInstalled) as info:
        import_model(gemma_path, models_dir, registry)
    assert info.value.user_text() == f"Already installed as {first.name}."
    assert info.value.model == first and registry.list() == [first]
    # a copy elsewhere, under another name or copied into the models folder: the same bytes
    twin = tmp_path / "twin.gguf"
    shutil.copyfile(gemma_path, twin)
    for mode in ("register", "copy"):
        with pytest.raises(AlreadyInstalled):
            import_model(twin, models_dir, registry, mode=mode, name="twin")
    assert registry.list() == [first] and not any(models_dir.glob("*.gguf"))
    # the same size, one byte different in the middle (head and tail agree): a different model
    data = bytearray(gemma_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    twin.write_bytes(bytes(data))
    other = import_model(twin, models_dir, registry)
    assert {m.name for m in registry.list()} == {first.name, other.name}


def test_same_bytes_found_by_the_fingerprint_then_the_full_hash(gemma_path, tmp_path, registry, models_dir):
    from deepseek_desktop.models.local.same_files import identical_installed, model_files

    first = import_model(gemma_path, models_dir, registry)
    twin = tmp_path / "twin.gguf"
    shutil.copyfile(gemma_path, twin)
    phases = []
    found = identical_installed(model_files(twin, "gguf"), "gguf", registry, lambda ev: phases.append(ev.phase))
    assert found == first and "hash" in phases, "equal fingerprints: the full hash decides"
    small = make_gguf(tmp_path / "small.gguf")
    phases.clear()
    assert identical_installed(model_files(small, "gguf"), "gguf", registry, phases.append) is None
    assert phases == [], "a different size is ruled out without reading the file"


def test_import_mlx_folder_by_copy(mlx_folder, registry, models_dir):
    model = import_model(mlx_folder, models_dir, registry, mode="copy")
    assert model.format == "mlx" and model.engine == "mlx"
    assert Path(model.path) == (models_dir / mlx_folder.name).resolve()
    check_mlx_folder(model.path)


def test_copy_refused_without_space_and_the_source_is_untouched(gemma_path, registry, small_tmpfs):
    folder = small_tmpfs(size="100m", inodes=1000)
    with pytest.raises(StorageError) as info:
        import_model(gemma_path, folder, registry, mode="copy")
    assert info.value.message_id == "storage.no_space" and gemma_path.exists()
    assert registry.list() == [] and not any(folder.parent.iterdir())


def test_remove_only_inside_the_models_folder(gemma_path, tmp_path, registry, models_dir):
    outside = import_model(gemma_path, models_dir, registry)
    with pytest.raises(StorageError) as info:
        registry.remove(outside.name)
    assert info.value.message_id == "storage.outside_models_dir"
    assert str(models_dir) in info.value.user_text() and gemma_path.exists()
    assert registry.get(outside.name)

    inside = import_model(make_gguf(tmp_path / "x.gguf"), models_dir, registry, mode="move")
    registry.remove(inside.name)
    assert not Path(inside.path).exists() and models_dir.exists()
    with pytest.raises(ModelManagerError) as info:
        registry.get(inside.name)
    assert info.value.message_id == "model.not_registered"

    forgotten = registry.forget(outside.name)
    assert forgotten.path == str(gemma_path.resolve()) and gemma_path.exists() and registry.list() == []


def test_remove_deletes_every_part_and_empty_folders(tmp_path, registry, models_dir):
    folder = models_dir / "org" / "repo" / "Q4_K_M"
    folder.mkdir(parents=True)
    parts = [make_gguf(folder / f"m-{i:05d}-of-00002.gguf") for i in (1, 2)]
    model = import_model(parts[0], models_dir, registry)
    assert len(model.parts) == 2
    registry.remove(model.name)
    assert not (models_dir / "org").exists() and models_dir.exists()


def test_registry_names_are_unique_and_survive_a_damaged_file(tmp_path, registry, models_dir):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = make_gguf(tmp_path / "a" / "model.gguf"), make_gguf(tmp_path / "b" / "model.gguf", n_tensors=3)
    first, second = import_model(a, models_dir, registry), import_model(b, models_dir, registry)
    assert (first.name, second.name) == ("model", "model-2")
    again = import_model(a, models_dir, registry, name="renamed")
    assert again.name == "renamed" and len(registry.list()) == 2, "the same path is one entry"

    registry.file.write_text("{ damaged", encoding="utf-8")
    assert registry.list() == []
    assert list(registry.file.parent.glob(f"{registry.file.name}.damaged-*")), "kept for the user"
    registry.file.write_text('{"models": ' + "[" * 100_000, encoding="utf-8")  # nested past the recursion limit
    assert registry.list() == []
    assert len(list(registry.file.parent.glob(f"{registry.file.name}.damaged-*"))) == 2
    assert discover_unregistered(models_dir, registry) == []


def test_discover_unregistered(tmp_path, registry, models_dir, mlx_folder):
    (models_dir / "sub").mkdir(parents=True)
    loose = make_gguf(models_dir / "sub" / "loose.gguf")
    make_gguf(models_dir / "s-00001-of-00002.gguf")
    make_gguf(models_dir / "s-00002-of-00002.gguf")
    shutil.copytree(mlx_folder, models_dir / "an-mlx-model")
    (models_dir / ".downloads").mkdir()
    make_gguf(models_dir / ".downloads" / "partial.gguf")
    found = discover_unregistered(models_dir, registry)
    assert set(found) == {loose, models_dir / "s-00001-of-00002.gguf", models_dir / "an-mlx-model"}
    registry.add(InstalledModel("loose", str(loose), "gguf", loose.stat().st_size))
    assert loose not in discover_unregistered(models_dir, registry)


def _registry_bytes(entries: list[bytes]) -> bytes:
    return b'{"version": 1, "models": [' + b", ".join(entries) + b"]}"


def test_bad_registry_entries_are_dropped_and_the_good_ones_kept(tmp_path, registry, models_dir, caplog):
    good = make_gguf(tmp_path / "good.gguf")
    good_entry = json.dumps(InstalledModel("good", str(good), "gguf", good.stat().st_size).to_dict()).encode()
    not_utf8 = b'{"name": "latin", "path": "/models/caf\xe9.gguf", "format": "gguf", "size": 1}'
    wrong_type = b'{"name": "typed", "path": "/models/t.gguf", "format": "gguf", "size": "big"}'
    not_an_object = b'"just a string"'
    no_path = b'{"name": "nopath", "format": "gguf", "size": 1}'
    original = _registry_bytes([not_utf8, good_entry, wrong_type, not_an_object, no_path])
    registry.file.write_bytes(original)

    assert [m.name for m in registry.list()] == ["good"]
    asides = list(registry.file.parent.glob(f"{registry.file.name}.damaged-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == original, "the file as it was is kept beside it"
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 4 and "entry 0" in dropped[0] and "UTF-8" in dropped[0]
    assert "size" in dropped[1]

    assert [m.name for m in registry.list()] == ["good"], "read again: the same, nothing more moved aside"
    assert len(list(registry.file.parent.glob(f"{registry.file.name}.damaged-*"))) == 1
    assert json.loads(registry.file.read_text(encoding="utf-8"))["models"][0]["name"] == "good"


def test_symlink_loops_in_the_models_folder_are_skipped(tmp_path, registry, models_dir):
    models_dir.mkdir()
    real = make_gguf(models_dir / "real.gguf")
    (models_dir / "a.gguf").symlink_to("b.gguf")
    (models_dir / "b.gguf").symlink_to("a.gguf")
    (models_dir / "self").symlink_to(models_dir)
    registry.add(InstalledModel("loop", str(models_dir / "a.gguf"), "gguf", 0))
    skipped: list[Path] = []
    assert discover_unregistered(models_dir, registry, skipped) == [real]
    assert skipped == [models_dir / "a.gguf", models_dir / "b.gguf"]
    assert not registry.get("loop").present
    registry.remove("loop")
    assert not (models_dir / "a.gguf").is_symlink() and registry.list() == []


def test_which_generic_chat_template_a_model_without_one_gets(gemma_path, tmp_path):
    from deepseek_desktop.models.local.template_check import fallback_name, fallback_template

    assert fallback_template(gemma_path) == "gemma", "the engine reports fallback:gemma for this file"
    assert fallback_template(make_gguf(tmp_path / "own.gguf", chat_template="{{ messages }}")) == ""
    assert fallback_template(make_gguf(tmp_path / "bare.gguf")) == "plain", "no vocabulary: the plain layout"
    assert fallback_template(tmp_path / "missing.gguf") == ""
    assert (fallback_name("fallback:gemma"), fallback_name("gguf")) == ("gemma", "")
