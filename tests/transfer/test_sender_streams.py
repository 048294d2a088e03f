"""The adaptive stream count: its limits follow the congestion control, and a standing queue stops growth."""

from __future__ import annotations

from pathlib import Path

import pytest

from huizhen.transfer import send
from huizhen.transfer.sender import (
    INITIAL_STREAMS,
    INITIAL_STREAMS_BBR,
    MAX_STREAMS,
    MAX_STREAMS_BBR,
    _Transfer,
    _TunedConnection,
)
from tests.transfer.loopback import KEY, TOKEN, CountingCore, random_bytes, receiver

CHUNK = 4096


def _transfer() -> _Transfer:
    return _Transfer(
        base_url="http://127.0.0.1:1",
        auth=lambda method, url, body: {},
        congestion="bbr",
        pacing_mbit=None,
        compression=False,
        patience=1.0,
    )


def test_bbr_starts_at_two_streams_and_stops_at_four_while_cubic_may_reach_forty_eight() -> None:
    transfer = _transfer()

    transfer.effective_congestion = "bbr"
    assert transfer.stream_limits(None) == (INITIAL_STREAMS_BBR, MAX_STREAMS_BBR) == (2, 4)
    transfer.effective_congestion = "cubic"
    assert transfer.stream_limits(None) == (INITIAL_STREAMS, MAX_STREAMS) == (4, 48)
    transfer.effective_congestion = None  # unknown (no TCP_CONGESTION): treat as loss-based
    assert transfer.stream_limits(None) == (4, 48)
    assert transfer.stream_limits(3) == (3, 3)


class _FakeConnection(_TunedConnection):
    def __init__(self, transfer: _Transfer, srtt: float, min_rtt: float) -> None:
        super().__init__(transfer, None)
        self._sample = (srtt, min_rtt)

    def rtts(self) -> tuple[float, float] | None:
        return self._sample


def test_a_standing_queue_at_the_bottleneck_says_the_path_is_full() -> None:
    transfer = _transfer()
    assert not transfer.path_full()  # no streams, no evidence

    transfer.live = {_FakeConnection(transfer, 0.182, 0.180), _FakeConnection(transfer, 0.185, 0.181)}
    assert not transfer.path_full()  # a few milliseconds over the minimum: the queue is empty
    transfer.live = {_FakeConnection(transfer, 0.260, 0.180), _FakeConnection(transfer, 0.250, 0.181)}
    assert transfer.path_full()  # 75 ms of queue on a 180 ms path
    transfer.live = {_FakeConnection(transfer, 0.0009, 0.00003)}
    assert not transfer.path_full()  # loopback jitter is under the floor


def test_the_kernels_congestion_control_is_read_back_from_the_socket(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(random_bytes(8 * CHUNK, seed=3))
    available = Path("/proc/sys/net/ipv4/tcp_available_congestion_control").read_text().split()
    if "reno" not in available:
        pytest.skip("reno is not available on this kernel")
    transfer = _transfer()
    with receiver(tmp_path / "dst") as server:
        host, port = server.server_address[:2]
        transfer.host, transfer.port, transfer.congestion = str(host), int(port), "reno"
        conn = transfer.connect(1)
        conn.connect()
        conn.close()
    assert transfer.effective_congestion == "reno"


def test_adaptive_bbr_never_exceeds_four_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    available = Path("/proc/sys/net/ipv4/tcp_available_congestion_control").read_text().split()
    if "bbr" not in available:
        pytest.skip("bbr is not available on this kernel")
    monkeypatch.setattr("huizhen.transfer.sender.ADAPT_INTERVAL", 0.3)
    monkeypatch.setattr("huizhen.transfer.sender.ADAPT_SETTLE", 0.1)
    (tmp_path / "a").write_bytes(random_bytes(150 * CHUNK, seed=19))
    core = CountingCore(tmp_path / "dst", key=KEY, delay=0.04)  # more streams would pay, were they allowed

    with receiver(tmp_path / "dst", core) as server:
        summary = send([tmp_path / "a"], server.url, token=TOKEN, chunk_size=CHUNK, congestion="bbr")

    assert 2 <= summary.streams_used <= 4
    assert (tmp_path / "dst" / "a").read_bytes() == (tmp_path / "a").read_bytes()
