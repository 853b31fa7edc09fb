"""Kill the real Negotiation replica of a running Ray Serve stack, as a crash would, and wait
for Serve to replace it (for evals.faults; Ray stays in evals/, app/ never imports it).

The eval process joins the stack's Ray cluster as a driver (`--start-stack` already is one),
reads the replicas from the Serve controller, SIGKILLs each running replica's worker process
(on this node; `ray.kill` for one on another node), and waits until the controller lists them
dead and a replica with a new id is RUNNING. `Restart.happened` is what the eval checks before
it counts a case as exercised.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from typing import Any

APP = "support"
DEPLOYMENT = "NegotiationWorker"


@dataclass(frozen=True)
class Restart:
    killed: tuple[str, ...]  # replica ids
    replaced_by: tuple[str, ...]
    # The controller lists every killed replica as dead (and none of them runs any more).
    died: bool
    seconds: float
    note: str = ""

    @property
    def happened(self) -> bool:
        return bool(self.killed) and self.died and bool(self.replaced_by)

    def describe(self) -> str:
        if not self.happened:
            return f"not restarted: {self.note or 'no replacement'} ({self.seconds:.0f} s)"
        return (
            f"killed {','.join(self.killed)}, replaced by {','.join(self.replaced_by)} "
            f"after {self.seconds:.0f} s{'; ' + self.note if self.note else ''}"
        )


class ReplicaRestarter:
    """Restarts of one deployment's replicas in a Serve stack whose HTTP port is `http_port`
    (so a driver that joined some other Ray cluster on this machine refuses to act)."""

    def __init__(
        self,
        http_port: int,
        *,
        address: str | None = None,
        app: str = APP,
        deployment: str = DEPLOYMENT,
    ) -> None:
        self.http_port = http_port
        self.address = address
        self.app = app
        self.deployment = deployment

    def connect(self) -> None:
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address or "auto", namespace="serve", log_to_driver=False)
        port = (self._details().get("http_options") or {}).get("port")
        if port != self.http_port:
            raise RuntimeError(
                f"the Ray cluster joined serves HTTP on port {port}, not {self.http_port}: "
                "pass --ray-address of the stack under test"
            )

    def _details(self) -> dict[str, Any]:
        from ray.serve.context import _get_global_client

        client = _get_global_client()
        assert client is not None
        return client.get_serve_details()

    def _deployment(self) -> dict[str, Any]:
        app = self._details()["applications"][self.app]
        deployment: dict[str, Any] = app["deployments"][self.deployment]
        return deployment

    def running(self) -> list[dict[str, Any]]:
        return [r for r in self._deployment()["replicas"] if r["state"] == "RUNNING"]

    def kill_and_wait(self, timeout_s: float = 300.0) -> Restart:
        """SIGKILL every running replica of the deployment; wait for Serve's replacement."""
        started = time.monotonic()
        victims = self.running()
        if not victims:
            return Restart((), (), False, 0.0, "no running replica to kill")
        killed = tuple(str(r["replica_id"]) for r in victims)
        for replica in victims:
            self._kill(replica)
        died = False
        replaced: tuple[str, ...] = ()
        while time.monotonic() - started < timeout_s:
            deployment = self._deployment()
            live = {str(r["replica_id"]): r for r in deployment["replicas"]}
            dead = {str(r["replica_id"]) for r in deployment.get("recent_dead_replicas", [])}
            died = all(k in dead or k not in live for k in killed) and not any(
                live[k]["state"] == "RUNNING" for k in killed if k in live
            )
            replaced = tuple(
                rid for rid, r in live.items() if rid not in killed and r["state"] == "RUNNING"
            )
            if died and replaced:
                break
            time.sleep(1.0)
        return Restart(killed, replaced, died, time.monotonic() - started)

    def _kill(self, replica: dict[str, Any]) -> None:
        import ray

        pid = replica.get("pid")
        if pid and replica.get("node_ip") == ray.util.get_node_ip_address() and _ray_worker(pid):
            try:
                os.kill(int(pid), signal.SIGKILL)  # a crash: no graceful shutdown, no __del__
                return
            except ProcessLookupError:
                return  # already gone
        # Another node's process: Ray kills it (also without a graceful shutdown).
        ray.kill(ray.get_actor(replica["actor_name"], namespace="serve"), no_restart=True)


def _ray_worker(pid: int) -> bool:
    """The pid is a Ray worker process on this machine (never signal anything else)."""
    try:
        with open(f"/proc/{int(pid)}/cmdline", "rb") as cmdline:
            command = cmdline.read()
    except OSError:
        return False
    return b"ray::" in command or b"default_worker.py" in command
