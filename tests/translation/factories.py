"""Factories and fakes for translation tests: tasks in each status, people in each role, engines.

The engines here exist in tests only (issue 6 item 7): :class:`EchoEngine` is a plain
class, and :class:`LoopbackTranslationService` is a real HTTP server on 127.0.0.1
answering LibreTranslate's ``/translate`` JSON, which the node's own HTTP engine talks to.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import factory
from django.utils import timezone

from huizhen.apps.accounts.models import Role, User
from huizhen.apps.translation.models import Status, TranslationTask
from tests.accounts.factories import MembershipFactory

REFERRAL_ZH = "患者男，56岁，颈部淋巴结肿大3月。病理：弥漫大B细胞淋巴瘤，CD20阳性。建议R-CHOP方案化疗。"
REFERRAL_EN = (
    "Male patient, 56, cervical lymphadenopathy for 3 months. Pathology: diffuse large B-cell lymphoma, "
    "CD20 positive. R-CHOP chemotherapy recommended."
)


def person(role: str, **fields: Any) -> User:
    """A user holding ``role`` at an institution."""
    user: User = MembershipFactory(role=role, **{f"user__{key}": value for key, value in fields.items()}).user
    return user


class TranslationTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TranslationTask

    subject = "Referral letter"
    case_ref = factory.Sequence(lambda n: f"HZ-2026-{n:04d}")
    source_lang = "zh"
    target_lang = "en"
    source_text = REFERRAL_ZH
    status = Status.QUEUED


def machine_drafted(**fields: Any) -> TranslationTask:
    task: TranslationTask = TranslationTaskFactory(
        status=Status.MACHINE_DRAFT,
        machine_method="machine",
        machine_engine="echo",
        machine_model="echo-1",
        machine_text=REFERRAL_EN,
        machine_at=timezone.now(),
        **fields,
    )
    return task


def submitted(*, translator: User | None = None, **fields: Any) -> TranslationTask:
    """A machine-drafted task a translator edited and submitted: waiting for a verifier."""
    task = machine_drafted(**fields)
    task.translator = translator or person(Role.TRANSLATOR, first_name="Wei", last_name="Zhang")
    task.human_text = REFERRAL_EN + " (edited)"
    task.status = Status.TRANSLATED
    task.submitted_at = timezone.now()
    task.save()
    return task


class EchoEngine:
    """A fake engine: prefixes the text, so tests can tell the draft from the source."""

    name = "echo"
    model: str | None = "echo-1"

    def __init__(self) -> None:
        self.calls = 0

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls += 1
        return f"[{source}->{target}] {text}"


class FailingEngine:
    name = "down"
    model: str | None = None

    def translate(self, text: str, *, source: str, target: str) -> str:
        raise ConnectionError("translation service unreachable")


class LoopbackTranslationService:
    """A LibreTranslate-shaped service on a free loopback port, recording what it was asked."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.requests.append({"path": self.path, **body})
                answer = json.dumps({"translatedText": f"MT({body['source']}→{body['target']}): {body['q']}"})
                data = answer.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[LoopbackTranslationService]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join(timeout=5)
