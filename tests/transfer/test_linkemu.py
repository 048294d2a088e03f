"""The link emulator: delay, loss and rate as configured, and nothing left behind (root only; skips otherwise)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

import pytest

from huizhen.transfer.linkemu import LinkEmulator, root_or_skip

PROBE = [sys.executable, "-m", "huizhen.transfer.linkemu"]


@pytest.fixture(autouse=True)
def _needs_root() -> None:
    root_or_skip()


def ping(link: LinkEmulator, *, count: int, interval: float) -> dict[str, object]:
    echo = link.popen_in("b", [*PROBE, "probe-echo", link.addr_b, "7"])
    try:
        time.sleep(0.3)
        result = link.run_in(
            "a",
            [*PROBE, "probe-ping", link.addr_b, "7", "--count", str(count), "--interval", str(interval)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        echo.kill()
        echo.wait()
    measured: dict[str, object] = json.loads(result.stdout)
    return measured


@pytest.mark.slow
def test_round_trip_time_is_the_configured_one() -> None:
    with LinkEmulator(rtt_ms=100, loss=0.0, rate_mbit=50, seed=1) as link:
        measured = ping(link, count=30, interval=0.02)
    rtts = measured["rtt_ms"]
    assert isinstance(rtts, list)
    assert len(rtts) == 30
    assert min(rtts) >= 100
    assert statistics.median(rtts) < 100 + 5


@pytest.mark.slow
def test_loss_is_the_configured_fraction_in_each_direction() -> None:
    with LinkEmulator(rtt_ms=10, loss=0.05, rate_mbit=50, seed=7) as link:
        measured = ping(link, count=2000, interval=0.001)
    assert link.stats is not None
    a_to_b = link.stats.a_to_b
    assert a_to_b.packets_in >= 2000
    # 2000 trials at 5 %: the standard deviation of the count is about 10.
    assert 60 <= a_to_b.dropped_loss <= 140
    received = measured["received"]
    assert isinstance(received, int)
    round_trip_loss = 1 - received / 2000
    assert 0.06 <= round_trip_loss <= 0.14  # 1 - 0.95**2 = 9.75 %


@pytest.mark.slow
def test_throughput_is_capped_near_the_rate() -> None:
    with LinkEmulator(rtt_ms=20, loss=0.0, rate_mbit=10, seed=1) as link:
        sink = link.popen_in("b", [*PROBE, "probe-sink", link.addr_b, "5001"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        link.run_in(
            "a",
            [*PROBE, "probe-send", link.addr_b, "5001", "--seconds", "4", "--congestion", "cubic"],
            timeout=60,
            check=True,
        )
        out, _ = sink.communicate(timeout=60)
    received = json.loads(out)
    mbit = received["bytes"] * 8 / received["seconds"] / 1e6
    assert 7.0 <= mbit <= 10.3


@pytest.mark.slow
def test_closing_removes_the_namespaces_interfaces_and_processes() -> None:
    with LinkEmulator(rtt_ms=10, loss=0.0, rate_mbit=10) as link:
        sleeper = link.popen_in("b", ["sleep", "60"])
        names = (link.ns_a, link.ns_b)
    assert sleeper.wait(timeout=5) is not None
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert not any(name in namespaces for name in names)
    interfaces = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert link._tun_a not in interfaces
    assert link._tun_b not in interfaces


@pytest.mark.slow
def test_an_error_inside_still_cleans_up() -> None:
    with pytest.raises(ZeroDivisionError), LinkEmulator(rtt_ms=10, loss=0.0, rate_mbit=10) as link:
        _ = 1 / 0
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert link.ns_a not in namespaces
    assert link.ns_b not in namespaces
