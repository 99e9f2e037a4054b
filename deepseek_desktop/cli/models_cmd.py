"""``deepseek-desktop models ...`` and ``deepseek-desktop doctor``: the model manager in the terminal.

Every command takes ``--json`` (machine-readable output on stdout) and ``--dir`` (the models folder;
default: the one chosen in the settings, else the app's own). Bad input exits with status 2 and one
line on stderr. This module wires the arguments; the commands are in ``models_info`` (catalogue, list,
info, fit, recommend), ``models_install`` (download, import, remove) and ``doctor_cmd``.
"""

from __future__ import annotations

import argparse

from ..core.settings.schema import SettingsSchema
from .doctor_cmd import run_doctor
from .gpu_pack_cmd import add_parser as add_gpu_pack_parser
from .models_info import run_catalogue, run_fit, run_info, run_list, run_recommend
from .models_install import run_download, run_import, run_remove
from .plan_cmd import add_plan_parser
from .setting_flags import add_setting_flags, value_parser


def add_parsers(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    common.add_argument("--dir", metavar="FOLDER", help="the models folder (default: the one in the settings)")
    ctx = argparse.ArgumentParser(add_help=False)
    # Unset, these are the window's settings: a model judged here is judged as the model manager judges it.
    schema = SettingsSchema()
    ctx.add_argument("--ctx", type=value_parser(schema.spec("generation.context_length")), default=None,
                     help="context length in tokens (default: the context length in the settings)")
    cache_types = [c.value for c in schema.spec("llamacpp.kv_cache_type").choices]
    ctx.add_argument("--cache-type", default=None, choices=cache_types,
                     help="KV cache type (default: the K/V cache precision in the settings)")
    ctx.add_argument("--flash-attn", action=argparse.BooleanOptionalAction, default=None,
                     help="estimate with flash attention (default: the flash attention setting)")
    add_setting_flags(ctx, [("--device", "llamacpp.device")])

    models = sub.add_parser("models", help="find, check, download and manage models")
    msub = models.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)
    p = msub.add_parser("catalog", parents=[common], help="the DeepSeek models the app knows")
    p.add_argument("--offline", action="store_true", help="do not ask the Hub for current file sizes")
    p.set_defaults(handler=run_catalogue)
    msub.add_parser("list", parents=[common], help="installed models").set_defaults(handler=run_list)
    p = msub.add_parser("info", parents=[common, ctx], help="check a GGUF file or MLX folder")
    p.add_argument("path", help="a GGUF file, an MLX folder or an installed model's name")
    p.set_defaults(handler=run_info)
    p = msub.add_parser("fit", parents=[common, ctx], help="will a model run on this computer")
    p.add_argument("model", metavar="ID[:QUANT]", help="a catalogue id (quantisation optional) or a GGUF path")
    p.set_defaults(handler=run_fit)
    p = msub.add_parser("recommend", parents=[common, ctx], help="the best DeepSeek model for this computer")
    p.set_defaults(handler=run_recommend)
    p = msub.add_parser("download", parents=[common], help="download a model into the models folder")
    p.add_argument("model", metavar="ID[:QUANT]", help="a catalogue id, optionally :QUANT or :mlx-4bit")
    p.set_defaults(handler=run_download)
    p = msub.add_parser("import", parents=[common], help="register a GGUF file or MLX folder you have")
    p.add_argument("path")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--copy", action="store_true", help="copy it into the models folder")
    how.add_argument("--move", action="store_true", help="move it into the models folder")
    p.add_argument("--name", help="the name to list it under")
    p.set_defaults(handler=run_import)
    p = msub.add_parser("remove", parents=[common], help="delete an installed model (inside the models folder)")
    p.add_argument("name", help="an installed model's name or path")
    p.add_argument("--forget", action="store_true", help="only unregister it; keep the files")
    p.set_defaults(handler=run_remove)
    add_plan_parser(msub, common)
    p = sub.add_parser("doctor", parents=[common], help="hardware, disk space and engines of this computer")
    p.set_defaults(handler=run_doctor)
    add_gpu_pack_parser(sub, common)
