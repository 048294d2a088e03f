"""``huizhen demo``: run a consulting hub and a hospital gateway side by side on this machine.

This is the supervisor behind ``make demo``. Each node gets its own data directory
(SQLite database, blob store, node key) under ``--dir``; both are migrated, seeded
with demo institutions and users, and peered with each other by exchanging public
keys directly (on a real deployment the admins exchange fingerprints instead). It then
starts, for each node, a web server and a task worker, prints the URLs and logins, and
stops everything on Ctrl-C. It never imports Django: every step is a ``huizhen``
subcommand run in the node's own environment, exactly as an operator would run it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO


@dataclass
class DemoNode:
    role: str
    port: int
    data_dir: Path
    name: str
    identity: dict[str, str] = field(default_factory=dict)
    logins: str = ""

    @property
    def time_zone(self) -> str:
        return "America/Los_Angeles" if self.role == "hub" else "Asia/Shanghai"

    @property
    def country(self) -> str:
        return "US" if self.role == "hub" else "CN"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        # The demo always runs on its own embedded defaults and the node's real settings
        # (a test process's DJANGO_SETTINGS_MODULE must not leak into the nodes it starts).
        for var in (
            "DATABASE_URL",
            "HUIZHEN_ENV",
            "HUIZHEN_SECRET_KEY",
            "HUIZHEN_ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
        ):
            env.pop(var, None)
        env.update(
            HUIZHEN_ROLE=self.role,
            HUIZHEN_DATA_DIR=str(self.data_dir),
            HUIZHEN_PUBLIC_URL=self.url,
            HUIZHEN_NODE_NAME=self.name,
            HUIZHEN_TASKS_BACKEND="db",
            HUIZHEN_TIME_ZONE=self.time_zone,
            HUIZHEN_COUNTRY=self.country,
            PYTHONUNBUFFERED="1",
        )
        return env

    def huizhen(self, *args: str, capture: bool = False) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "huizhen", *args],
            env=self.env(),
            capture_output=capture,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout or "").strip() if capture else ""
            raise DemoError(f"[{self.role}] huizhen {' '.join(args)} failed (exit {proc.returncode}) {detail}")
        return proc.stdout or ""


class DemoError(Exception):
    pass


def _prefix_output(stream: IO[str], label: str) -> None:
    for line in stream:
        sys.stdout.write(f"{label} {line}")
        sys.stdout.flush()


def _wait_until_up(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/node/identity", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise DemoError(f"{url} did not answer within the start-up deadline")


def prepare(nodes: Sequence[DemoNode]) -> None:
    """Migrate, seed and peer both nodes, then seed the demo cases; safe to repeat on an existing demo directory."""
    for node in nodes:
        node.data_dir.mkdir(parents=True, exist_ok=True)
        print(f"[{node.role}] migrating {node.data_dir / 'huizhen.sqlite3'}")
        node.huizhen("migrate", "--noinput", capture=True)
        node.logins = node.huizhen("seed_demo", capture=True)
        node.identity = json.loads(node.huizhen("node", "show", "--json", capture=True))
    for node in nodes:
        for other in nodes:
            if other is node:
                continue
            node.huizhen(
                "peer",
                "add",
                other.url,
                "--fingerprint",
                other.identity["fingerprint"],
                "--public-key",
                other.identity["public_key"],
                "--name",
                other.name,
                "--if-absent",
                capture=True,
            )
            print(f"[{node.role}] peered with {other.name} ({other.identity['fingerprint']})")
    # The demo's consultation data needs the peers: the cases are addressed to the hub and
    # each side records its partner agreement with the other.
    for node in nodes:
        others = [other for other in nodes if other is not node]
        if len(others) == 1:
            seeded = node.huizhen("seed_demo_cases", "--peer", others[0].name, capture=True)
            print("\n".join(f"[{node.role}] {line}" for line in seeded.strip().splitlines()))


def run(nodes: Sequence[DemoNode], *, workers: bool = True, startup_timeout: float = 60.0) -> int:
    children: list[subprocess.Popen[str]] = []
    stopping = threading.Event()

    def stop(_signum: int = 0, _frame: FrameType | None = None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for node in nodes:
            commands = [("web", ["serve", "--bind", f"127.0.0.1:{node.port}"])]
            if workers:
                commands.append(("worker", ["db_worker"]))
            for kind, args in commands:
                child = subprocess.Popen(
                    [sys.executable, "-m", "huizhen", *args],
                    env=node.env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,  # Ctrl-C reaches only the supervisor, which stops children in order
                )
                children.append(child)
                assert child.stdout is not None
                label = f"[{node.role} {kind}]"
                threading.Thread(target=_prefix_output, args=(child.stdout, label), daemon=True).start()
        deadline = time.monotonic() + startup_timeout
        for node in nodes:
            _wait_until_up(node.url, deadline)
        print(banner(nodes), flush=True)
        while not stopping.is_set():
            for child in children:
                if child.poll() is not None:
                    print(f"huizhen demo: a node process exited with status {child.returncode}; stopping")
                    return 1
            stopping.wait(0.5)
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        print("huizhen demo: stopped both nodes")


def banner(nodes: Sequence[DemoNode]) -> str:
    lines = ["", "=" * 72, "Huizhen demo is running. Ctrl-C stops both nodes.", ""]
    for node in nodes:
        title = "Consulting hub" if node.role == "hub" else "Hospital gateway"
        lines.append(f"  {title:17} {node.url}   ({node.name})")
        lines.append(f"  {'':17} data: {node.data_dir}")
    lines.append("")
    for node in nodes:
        lines.extend(f"  {line}" for line in node.logins.strip().splitlines())
        lines.append("")
    lines.append("=" * 72)
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="huizhen demo", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--dir", type=Path, default=Path("var/demo"), help="parent of the hub/ and gateway/ data")
    parser.add_argument("--hub-port", type=int, default=8000)
    parser.add_argument("--gateway-port", type=int, default=8001)
    parser.add_argument("--no-workers", action="store_true", help="do not start the task workers")
    parser.add_argument("--prepare-only", action="store_true", help="migrate, seed and peer, then exit")
    args = parser.parse_args(list(argv))
    root = args.dir.resolve()
    nodes = [
        DemoNode("hub", args.hub_port, root / "hub", "Los Angeles Comprehensive Cancer Center hub"),
        DemoNode("gateway", args.gateway_port, root / "gateway", "Wuhan Union Hospital gateway"),
    ]
    try:
        prepare(nodes)
        if args.prepare_only:
            return 0
        return run(nodes, workers=not args.no_workers)
    except DemoError as exc:
        print(f"huizhen demo: {exc}", file=sys.stderr)
        return 1
