"""cluster/: the RayService manifest carries the GPU profile verbatim, its node groups match
the placement the profile asks for, and its autoscaling bounds hold the fleets' bounds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CLUSTER = Path(__file__).resolve().parents[1] / "cluster"


def load_all(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((CLUSTER / name).read_text()) if d]


def rayservice() -> dict[str, Any]:
    (manifest,) = load_all("rayservice.yaml")
    return manifest


def gpu_profile() -> dict[str, Any]:
    return dict(yaml.safe_load((CLUSTER / "serve_config.gpu.yaml").read_text()))


def groups() -> dict[str, dict[str, Any]]:
    spec = rayservice()["spec"]["rayClusterConfig"]
    return {g["groupName"]: g for g in spec["workerGroupSpecs"]}


def app(name: str) -> dict[str, Any]:
    return next(a for a in gpu_profile()["applications"] if a["name"] == name)


def test_serve_config_is_the_gpu_profile_verbatim() -> None:
    manifest = rayservice()
    assert manifest["kind"] == "RayService"
    assert yaml.safe_load(manifest["spec"]["serveConfigV2"]) == gpu_profile()


def test_head_runs_no_replicas_and_every_node_exports_metrics() -> None:
    cluster = rayservice()["spec"]["rayClusterConfig"]
    assert cluster["enableInTreeAutoscaling"] is True
    assert cluster["headGroupSpec"]["rayStartParams"]["num-cpus"] == "0"
    for spec in [cluster["headGroupSpec"], *groups().values()]:
        assert spec["rayStartParams"]["metrics-export-port"] == "8080"


def test_only_the_cpu_group_advertises_the_cpu_pool_every_cpu_deployment_asks_for() -> None:
    cpu, l4 = groups()["cpu-workers"], groups()["l4-gpu"]
    assert "osa_cpu_pool" in cpu["rayStartParams"]["resources"]
    assert "osa_cpu_pool" not in str(l4["rayStartParams"])
    for name in ("support", "support-shadow"):
        for deployment in app(name)["deployments"]:
            assert deployment["ray_actor_options"]["resources"] == {"osa_cpu_pool": 0.01}
    ingress = app("llm")["args"]["ingress_deployment_config"]
    assert ingress["ray_actor_options"]["resources"] == {"osa_cpu_pool": 0.01}


def test_l4_group_fits_the_fleets_autoscaling_bounds() -> None:
    l4 = groups()["l4-gpu"]
    container = l4["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert l4["template"]["spec"]["nodeSelector"]["cloud.google.com/gke-accelerator"] == (
        "nvidia-l4"
    )
    fleets = app("llm")["args"]["llm_configs"]
    assert all(f["accelerator_type"] == "L4" for f in fleets)
    bounds = [f["deployment_config"]["autoscaling_config"] for f in fleets]
    # One GPU per replica, one GPU per pod: pods bound replicas exactly.
    assert l4["minReplicas"] == sum(b["min_replicas"] for b in bounds)
    assert l4["maxReplicas"] == sum(b["max_replicas"] for b in bounds)
    per_replica_cpus = max(f["deployment_config"]["ray_actor_options"]["num_cpus"] for f in fleets)
    assert int(l4["rayStartParams"]["num-cpus"]) >= per_replica_cpus


def test_external_services_name_every_setting_the_service_reads() -> None:
    docs = {d["kind"]: d for d in load_all("external-services.yaml")}
    keys = set(docs["ConfigMap"]["data"]) | set(docs["Secret"]["stringData"])
    for needed in (
        "PLATFORM_URL", "PLATFORM_API_KEY", "REDIS_URL", "OSA_JWT_SECRET", "MILVUS_URI",
        "MILVUS_TOKEN", "OSA_NEGOTIATION_CHECKPOINTS",
    ):  # fmt: skip
        assert needed in keys, needed
    names = {d["metadata"]["name"] for d in docs.values()}
    head = rayservice()["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]
    refs = {next(iter(r.values()))["name"] for r in head["containers"][0]["envFrom"]}
    assert refs == names
