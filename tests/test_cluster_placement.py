"""The GPU profile's placement on a multi-node Ray cluster, proven on one machine.

A local `ray.cluster_utils.Cluster`: a CPU head, a CPU worker node advertising `osa_cpu_pool`
(the cpu-workers group of cluster/rayservice.yaml) and a node with four fake GPUs advertising
`accelerator_type:L4` (the l4-gpu group). cluster/serve_config.gpu.yaml is deployed as it is,
with model-free stand-ins behind the same deployment names and Ray Serve LLM's own placement
options (tests/cluster_standins.py); replica counts of the support app and of the fleets'
router are cut to one so the test fits two cores. Every fleet replica must land on the L4
node, everything else on the CPU worker, nothing on the head.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GPU_PROFILE = ROOT / "cluster" / "serve_config.gpu.yaml"
DEPLOY_TIMEOUT_S = 240.0
# Production and its shadow (the same graph on mirrored traffic): both stay off the L4 node.
SUPPORT_APPS = ("support", "support-shadow")

pytestmark = pytest.mark.slow


def standin_config(report_dir: Path, port: int) -> dict[str, Any]:
    config = copy.deepcopy(yaml.safe_load(GPU_PROFILE.read_text()))
    # One machine: every node's proxy would bind the same port, so only the head's runs.
    config["proxy_location"] = "HeadOnly"
    config["http_options"] = {"host": "127.0.0.1", "port": port}
    for app in config["applications"]:
        app["args"]["report_dir"] = str(report_dir)
        # The engine-free replicas need none of the app's environment (or its setup hook).
        app.pop("runtime_env", None)
        if app["name"] in SUPPORT_APPS:
            app["import_path"] = "tests.cluster_standins:build_support_app"
            for deployment in app["deployments"]:
                deployment["num_replicas"] = 1
        else:
            app["import_path"] = "tests.cluster_standins:build_llm_app"
            app["args"]["ingress_deployment_config"]["autoscaling_config"]["min_replicas"] = 1
    return config


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, str]]:
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False},
    )
    try:
        # Logical CPUs: production (4.5), its shadow (2.75) and the fleets' router (1).
        cpu = cluster.add_node(num_cpus=10, resources={"osa_cpu_pool": 1000})
        l4 = cluster.add_node(num_cpus=8, num_gpus=4, resources={"accelerator_type:L4": 1})
        ray.init(address=cluster.address, namespace="serve", log_to_driver=False)
        yield {
            "head": cluster.head_node.node_id,
            "cpu": cpu.node_id,
            "l4": l4.node_id,
        }
    finally:
        ray.shutdown()
        cluster.shutdown()


def wait_running(app_names: set[str]) -> None:
    from ray import serve

    deadline = time.monotonic() + DEPLOY_TIMEOUT_S
    while time.monotonic() < deadline:
        status = serve.status().applications
        states = {name: status[name].status for name in app_names if name in status}
        if len(states) == len(app_names) and all(s == "RUNNING" for s in states.values()):
            return
        if any(s == "DEPLOY_FAILED" for s in states.values()):
            raise AssertionError({n: status[n].message for n in states})
        time.sleep(1.0)
    raise AssertionError(f"not running after {DEPLOY_TIMEOUT_S:.0f} s: {serve.status()}")


def test_llm_replicas_land_only_on_the_l4_node_and_the_rest_stays_off_it(
    cluster: dict[str, str], tmp_path: Path
) -> None:
    from ray import serve
    from ray.serve._private import api as serve_api
    from ray.serve.schema import ServeDeploySchema

    from app.sessions.local_redis import free_port

    config = standin_config(tmp_path, free_port())
    schema = ServeDeploySchema.model_validate(config)
    client = serve_api.serve_start(
        http_options=schema.http_options.model_dump(), proxy_location=schema.proxy_location
    )
    try:
        client.deploy_apps(schema, _blocking=False)
        wait_running({*SUPPORT_APPS, "llm"})
        records = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    finally:
        serve.shutdown()

    placed: dict[str, list[str]] = {}
    for record in records:
        placed.setdefault(record["label"], []).append(record["node_id"])
    fleets = {k: v for k, v in placed.items() if k.startswith("fleet:")}
    rest = {k: v for k, v in placed.items() if not k.startswith("fleet:")}

    # The GPU profile's fleet sizes, unchanged: 2 tracking replicas (its minimum), 1-2 policy
    # replicas (minimum 1, initial 2: the TTFT policy may already have scaled one down).
    counts = {k: len(v) for k, v in fleets.items()}
    assert set(counts) == {"fleet:tracking-fleet", "fleet:policy-fleet"}
    assert counts["fleet:tracking-fleet"] >= 2 and counts["fleet:policy-fleet"] >= 1
    assert {node for nodes in fleets.values() for node in nodes} == {cluster["l4"]}
    assert set(rest) == {
        "Ingress", "Guardrail", "TrackingWorker", "PolicyWorker",
        "NegotiationWorker", "OpenAiIngress",
    }  # fmt: skip
    assert {node for nodes in rest.values() for node in nodes} == {cluster["cpu"]}
