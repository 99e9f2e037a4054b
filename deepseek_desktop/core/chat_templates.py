"""Fallback chat templates for GGUF files that carry none in their metadata.

Chosen by architecture, and only when the template's marker tokens exist in the model's vocabulary;
otherwise a plain-text layout that any model can follow. The choice is reported as
``fallback:<name>`` in the stats and the log, so nobody mistakes it for the model's own template.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    name: str
    source: str
    markers: tuple[str, ...]  # must each be a single token for the template to make sense
    stops: tuple[str, ...] = ()


CHATML = Template(
    "chatml",
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
    ("<|im_start|>", "<|im_end|>"),
    ("<|im_end|>",),
)

GEMMA = Template(
    "gemma",
    "{{ bos_token }}{% set ns = namespace(system='') %}"
    "{% for m in messages %}{% if m['role'] == 'system' %}{% set ns.system = m['content'] ~ '\n\n' %}"
    "{% else %}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else 'user' }}\n"
    "{{ ns.system if m['role'] == 'user' else '' }}{{ m['content'] | trim }}<end_of_turn>\n"
    "{% if m['role'] == 'user' %}{% set ns.system = '' %}{% endif %}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}",
    ("<start_of_turn>", "<end_of_turn>"),
    ("<end_of_turn>",),
)

LLAMA3 = Template(
    "llama-3",
    "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
    "{{ m['content'] | trim }}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}",
    ("<|start_header_id|>", "<|eot_id|>"),
    ("<|eot_id|>",),
)

DEEPSEEK = Template(
    "deepseek",
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}"
    "{% elif m['role'] == 'user' %}<｜User｜>{{ m['content'] }}"
    "{% else %}<｜Assistant｜>{{ m['content'] }}<｜end▁of▁sentence｜>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<｜Assistant｜>{% endif %}",
    ("<｜User｜>", "<｜Assistant｜>"),
    ("<｜end▁of▁sentence｜>",),
)

PLAIN = Template(
    "plain",
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}### User:\n{{ m['content'] }}\n\n"
    "{% else %}### Assistant:\n{{ m['content'] }}\n\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}### Assistant:\n{% endif %}",
    (),
    ("### User:", "\n### Assistant:"),
)

_BY_ARCH = {
    "gemma": GEMMA, "gemma2": GEMMA, "gemma3": GEMMA, "gemma3n": GEMMA,
    "llama": LLAMA3,
    "deepseek": DEEPSEEK, "deepseek2": DEEPSEEK,
    "qwen2": CHATML, "qwen3": CHATML, "qwen2moe": CHATML, "qwen3moe": CHATML,
}
_ORDER = (CHATML, LLAMA3, GEMMA, DEEPSEEK)


def choose_fallback(architecture: str, is_single_token) -> Template:
    """The best template for ``architecture`` whose markers the vocabulary has as single tokens."""
    preferred = _BY_ARCH.get(architecture)
    candidates = ([preferred] if preferred else []) + [t for t in _ORDER if t is not preferred]
    for template in candidates:
        if all(is_single_token(m) for m in template.markers):
            return template
    return PLAIN
