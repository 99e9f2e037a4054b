"""A tiny random DeepSeek-V3 (MLA + MoE) for MLX tests, made on the spot.

The weights come from mlx-lm's own ``deepseek_v3.Model`` and are saved as ``model.safetensors`` beside a
``config.json``; the tokenizer is a byte-level BPE trained here with ``tokenizers`` and saved with
``transformers.PreTrainedTokenizerFast`` together with a DeepSeek chat template. The folder is then
loaded the way a user's download is (``mlx_lm.load``), so the tests cover the real loading path.

Random weights say nothing useful, so the output is shaped by hand to keep tests readable and
deterministic: the output rows of the special tokens, the reasoning tags and the 256 single bytes are
zero (a logit of 0 does not win against a few hundred random logits), so the model writes whole word
pieces and never ends by itself: a reply ends at a stop string, at max_tokens or when cancelled.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
USER = "<｜User｜>"
ASSISTANT = "<｜Assistant｜>"
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
_SPECIAL = [BOS, EOS, USER, ASSISTANT]

# DeepSeek-V3's layout; the R1 variant opens the reasoning in the prompt, as DeepSeek-R1's template does.
V3_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}"
    "{% elif m['role'] == 'user' %}" + USER + "{{ m['content'] }}"
    "{% elif m['role'] == 'assistant' %}" + ASSISTANT + "{{ m['content'] }}" + EOS + "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}" + ASSISTANT + "{% endif %}"
)
R1_TEMPLATE = V3_TEMPLATE.replace("{% if add_generation_prompt %}" + ASSISTANT + "{% endif %}",
                                  "{% if add_generation_prompt %}" + ASSISTANT + THINK_OPEN + "\n{% endif %}")

_CORPUS = [
    "DeepSeek-V3 is a mixture of experts language model with multi-head latent attention.",
    "The quick brown fox jumps over the lazy dog while the cat sleeps in the sun.",
    "Write a short story about the sea, the wind, the boats and the people of the harbour.",
    "Name three colours: red, green and blue. Name three animals: cat, dog and horse.",
    "Tokens per second, time to first token and prompt tokens are the figures we report.",
    "Der schnelle braune Fuchs springt über den faulen Hund. Wie viel Speicher braucht das Modell?",
    "深度求索 是 一家 人工智能 公司。 模型 在 本地 运行。",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 11 12 100 1000 3.14 2.71",
]


def train_tokenizer(folder: Path, vocab_size: int = 480):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=_SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 20, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS)
    # Like DeepSeek-R1's tokenizer: the reasoning tags are added tokens but not special ones, so they
    # survive decoding and reach the reasoning splitter.
    fast.add_tokens([THINK_OPEN, THINK_CLOSE])
    fast.chat_template = V3_TEMPLATE
    fast.save_pretrained(str(folder))
    return fast


def model_args(vocab_size: int):
    from mlx_lm.models.deepseek_v3 import ModelArgs

    return ModelArgs(
        model_type="deepseek_v3", vocab_size=vocab_size, hidden_size=64, intermediate_size=128,
        moe_intermediate_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
        n_shared_experts=1, n_routed_experts=4, num_experts_per_tok=2, routed_scaling_factor=1.0,
        kv_lora_rank=32, q_lora_rank=48, qk_rope_head_dim=16, v_head_dim=16, qk_nope_head_dim=16,
        topk_method="noaux_tc", scoring_func="sigmoid", norm_topk_prob=True, n_group=1, topk_group=1,
        moe_layer_freq=1, first_k_dense_replace=1, max_position_embeddings=2048,
    )


def build_tiny_deepseek(folder: Path, seed: int = 7) -> Path:
    """Write a loadable MLX model folder (DeepSeek-V3 template) to ``folder`` and return it."""
    import dataclasses

    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm.models.deepseek_v3 import Model

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(folder)
    args = model_args(len(tokenizer))
    mx.random.seed(seed)
    model = Model(args)
    head = model.lm_head.weight
    # The trainer numbers the special tokens first, then the 256 bytes; the tags come last.
    silent = list(range(len(_SPECIAL) + 256)) + tokenizer.convert_tokens_to_ids([THINK_OPEN, THINK_CLOSE])
    model.lm_head.weight = head.at[mx.array(silent)].multiply(0.0)
    weights = dict(tree_flatten(model.parameters()))
    mx.eval(weights)
    mx.save_safetensors(str(folder / "model.safetensors"), weights)
    config = dataclasses.asdict(args)
    config["architectures"] = ["DeepseekV3ForCausalLM"]
    config["eos_token_id"] = tokenizer.convert_tokens_to_ids(EOS)
    config["bos_token_id"] = tokenizer.convert_tokens_to_ids(BOS)
    (folder / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return folder


def with_template(source: Path, folder: Path, template: str) -> Path:
    """A copy of ``source`` whose tokenizer carries another chat template (same weights)."""
    shutil.copytree(source, folder)
    config_file = folder / "tokenizer_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["chat_template"] = template
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    chat_file = folder / "chat_template.jinja"  # newer transformers keep the template here
    if chat_file.exists():
        chat_file.write_text(template, encoding="utf-8")
    return folder


def tiny_model_folders(base: Path) -> dict[str, Path]:
    """The tiny model with DeepSeek-V3's template ("v3") and with DeepSeek-R1's ("r1"), built once under
    ``base`` (a test session's temporary folder) and shared by every test module that asks."""
    root = Path(base) / "mlx-tiny-deepseek"
    folders = {"v3": root / "v3", "r1": root / "r1"}
    if not (folders["r1"] / "config.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        build_tiny_deepseek(folders["v3"])
        with_template(folders["v3"], folders["r1"], R1_TEMPLATE)
    return folders
