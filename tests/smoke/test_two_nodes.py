"""Smoke test: a hub and a gateway as real server processes talk to each other over signed HTTP.

Nothing here uses the Django test client: both nodes are started the way an operator
starts them (``huizhen migrate``, ``huizhen seed_demo``, ``huizhen peer add``,
``huizhen serve``), each with its own data directory, and they ping each other.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from huizhen.demo import DemoNode, prepare
from tests.browser import chromium, needs_chromium

pytestmark = pytest.mark.slow

DEMO_PASSWORD = "huizhen-demo-2026"  # seed_demo's default


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoNode, DemoNode]]:
    root = tmp_path_factory.mktemp("nodes")
    hub = DemoNode("hub", _free_port(), root / "hub", "Smoke hub")
    gateway = DemoNode("gateway", _free_port(), root / "gateway", "Smoke gateway")
    prepare([hub, gateway])
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "huizhen", "serve", "--bind", f"127.0.0.1:{node.port}", "--workers", "1"],
            env=node.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for node in (hub, gateway)
    ]
    try:
        for node in (hub, gateway):
            _wait_for(f"{node.url}/api/node/identity")
        yield hub, gateway
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)


def test_hub_pings_gateway_with_a_verified_signature(two_nodes: tuple[DemoNode, DemoNode]) -> None:
    hub, gateway = two_nodes
    out = hub.huizhen("peer", "ping", gateway.name, capture=True)
    assert out.startswith("ok")
    assert "verified" in out


def test_gateway_pings_hub_with_a_verified_signature(two_nodes: tuple[DemoNode, DemoNode]) -> None:
    hub, gateway = two_nodes
    out = gateway.huizhen("peer", "ping", hub.name, capture=True)
    assert out.startswith("ok")
    assert "verified" in out


def test_each_node_audits_the_call_it_received(two_nodes: tuple[DemoNode, DemoNode]) -> None:
    hub, gateway = two_nodes
    hub.huizhen("peer", "ping", gateway.name, capture=True)
    tail = gateway.huizhen("audit", "tail", "-n", "20", capture=True)
    assert "peer.call_in" in tail
    assert gateway.huizhen("audit", "verify", capture=True).startswith("audit chain intact")


def test_unsigned_ping_is_refused_over_real_http(two_nodes: tuple[DemoNode, DemoNode]) -> None:
    _, gateway = two_nodes
    response = httpx.post(f"{gateway.url}/api/node/ping", json={}, timeout=5.0)
    assert response.status_code == 401
    assert "peer.rejected" in gateway.huizhen("audit", "tail", "-n", "5", capture=True)


def test_demo_supervisor_serves_both_nodes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    hub_port, gateway_port = _free_port(), _free_port()
    ports = ["--hub-port", str(hub_port), "--gateway-port", str(gateway_port)]
    demo = subprocess.Popen(
        [sys.executable, "-m", "huizhen", "demo", "--dir", str(tmp_path), *ports],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "Ctrl-C stops both nodes" in line:
                break
        output = "".join(seen)
        assert "Huizhen demo is running" in output, output
        for port in (hub_port, gateway_port):
            assert httpx.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).status_code == 200
        assert (tmp_path / "hub" / "huizhen.sqlite3").exists()
        assert (tmp_path / "gateway" / "huizhen.sqlite3").exists()
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{hub_port}/accounts/login/", timeout=2)
    finally:
        if demo.poll() is None:
            demo.kill()


def _sign_in_with_enrollment(page: Page, base_url: str, username: str) -> None:
    """First sign-in of a seeded user: password, then enrol TOTP from the key shown on the page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/accounts/enroll/**")
    secret = page.inner_text("[data-testid=totp-secret]").replace(" ", "").strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{base_url}/")


@needs_chromium
def test_each_node_home_page_shows_the_other_node_connected(two_nodes: tuple[DemoNode, DemoNode]) -> None:
    hub, gateway = two_nodes
    with chromium() as browser:
        for node, other, username in ((hub, gateway, "admin.hub"), (gateway, hub, "admin.gw")):
            page = browser.new_page()
            _sign_in_with_enrollment(page, node.url, username)
            badge = page.locator("[data-testid=peer-status]", has_text=other.name)
            expect(badge).to_contain_text("Connected", timeout=15_000)
            page.close()
