"""A real LibreTranslate-shaped HTTP service on 127.0.0.1, run in a thread for the engine tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, body) for one request's JSON payload; body None sends a non-JSON page.
Responder = Callable[[dict[str, Any]], tuple[int, dict[str, Any] | None]]


def phrasebook(payload: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    """LibreTranslate's behaviour in miniature: refuse a wrong key, translate a few words."""
    if payload.get("api_key") not in (None, "secret-key"):
        return 403, {"error": "Invalid API key"}
    words = {"患者诊断为": "The patient was diagnosed with ", "。": "."}
    text = str(payload["q"])
    for phrase, rendered in words.items():
        text = text.replace(phrase, rendered)
    return 200, {"translatedText": text.strip()}


@dataclass
class Service:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@contextmanager
def translation_service(responder: Responder = phrasebook, *, delay: float = 0.0) -> Iterator[Service]:
    service = Service(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            service.requests.append(payload)
            service.paths.append(self.path)
            if delay:
                time.sleep(delay)
            if self.path != "/translate":
                status, body = 404, {"error": "Not Found"}
            else:
                status, body = responder(payload)
            raw = b"<html>oops</html>" if body is None else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if body is not None else "text/html")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (the timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a handler still sleeping must not hold up the test
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
