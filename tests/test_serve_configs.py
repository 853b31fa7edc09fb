"""Both serving profiles' config files are valid Serve deploy configs whose LLM fleets are
valid Ray Serve LLM configs with the TTFT server and policy (no engine is started)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROFILES = [ROOT / "serve_config.yaml", ROOT / "cluster" / "serve_config.gpu.yaml"]


def llm_configs(path: Path) -> list[dict[str, Any]]:
    config = yaml.safe_load(path.read_text())
    app = next(a for a in config["applications"] if a["name"] == "llm")
    return list(app["args"]["llm_configs"])


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_profile_is_a_valid_serve_deploy_config(path: Path) -> None:
    from ray.serve.schema import ServeDeploySchema

    schema = ServeDeploySchema.model_validate(yaml.safe_load(path.read_text()))
    assert {"support", "llm"} <= {app.name for app in schema.applications}


def test_the_cluster_profile_mirrors_production_to_a_shadow_without_http() -> None:
    from ray.serve.schema import ServeDeploySchema

    from app.config import AgentSettings

    schema = ServeDeploySchema.model_validate(yaml.safe_load(PROFILES[1].read_text()))
    apps = {app.name: app for app in schema.applications}
    production, shadow = apps["support"], apps["support-shadow"]
    assert production.args["mirror_to"] == "support-shadow"
    assert shadow.route_prefix is None  # mirrored traffic only: no customer can reach it
    assert shadow.import_path == production.import_path  # the same graph, another variant
    settings = AgentSettings.load(shadow.args)
    assert settings.variant == "shadow" and settings.key_prefix == "osa-shadow"
    assert settings.mirror_to is None  # a shadow never mirrors on


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.name)
def test_every_fleet_is_a_valid_llm_config_scaled_on_ttft(path: Path) -> None:
    from ray.serve.config import AutoscalingConfig
    from ray.serve.llm import LLMConfig

    from deployments.llm import PYPI_CPU_MODEL, TTFT_SERVER, resolve_llm_config

    fleets = llm_configs(path)
    assert {f["model_loading_config"]["model_id"] for f in fleets} == {
        "tracking-fleet",
        "policy-fleet",
    }
    for raw in fleets:
        if raw["model_loading_config"]["model_source"] == PYPI_CPU_MODEL:
            # Resolving converts the model; here only the config's shape is under test.
            raw = {**raw, "model_loading_config": {**raw["model_loading_config"]}}
            raw["model_loading_config"]["model_source"] = "/models/placeholder"
        resolved = resolve_llm_config(raw)
        config = LLMConfig.model_validate(resolved)
        assert resolved["server_cls"] == TTFT_SERVER
        assert config.engine_kwargs["enable_prefix_caching"] is True
        assert config.engine_kwargs["structured_outputs_config"]["backend"] == "xgrammar"
        scaling = AutoscalingConfig.model_validate(config.deployment_config["autoscaling_config"])
        policy = resolved["deployment_config"]["autoscaling_config"]["policy"]
        assert policy["policy_function"] == "deployments.autoscaling:TtftAutoscalingPolicy"
        assert policy["policy_kwargs"]["scale_up_p95_ms"] == 600
        assert 1 <= scaling.min_replicas <= scaling.max_replicas


def test_gpu_profile_asks_for_one_l4_per_replica() -> None:
    for raw in llm_configs(PROFILES[1]):
        assert raw["accelerator_type"] == "L4"
        assert raw["engine_kwargs"]["dtype"] == "bfloat16"
        assert raw["engine_kwargs"].get("tensor_parallel_size", 1) == 1
