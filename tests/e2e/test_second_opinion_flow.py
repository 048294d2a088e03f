"""The issue's acceptance test: one second opinion, end to end, across two real nodes in a real browser.

A hub and a gateway run as real server processes with their task workers (the nodes of
:mod:`tests.consults.nodes`), prepared exactly as ``make demo`` prepares them (migrate,
``seed_demo``, peering, ``seed_demo_cases``). Headless Chromium (the OS package) then drives the UI only: the
referring physician opens a seeded draft and submits it; the hub coordinator accepts it
and assigns the specialist; the specialist writes the structured opinion and signs it;
the physician sees it delivered in English and Chinese, downloads the bilingual PDF (read
back with ``pdftotext``), asks a follow-up question; the specialist answers; the
physician reads the answer. Each user has a browser context of their own (two users of
one node cannot share a session), signs in once and enrols their authenticator on the way. Waits are
on text appearing, never sleeps: the nodes' workers move the case in the background.
"""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from huizhen.demo import prepare
from tests.browser import chromium, needs_chromium
from tests.consults.nodes import Node, TwoNodes, free_port

pytestmark = [pytest.mark.slow, needs_chromium]

DEMO_PASSWORD = "huizhen-demo-2026"  # seed_demo's default
# Long enough for a worker to pick a task up and a peer to answer; the whole flow is far shorter.
WORKER_WAIT_MS = 45_000


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoNodes]:
    """Two real nodes prepared by ``huizhen demo``'s own steps, run as the two-node tests run them."""
    root = tmp_path_factory.mktemp("e2e")
    hub = Node("hub", free_port(), root / "hub", "E2E consulting hub")
    gateway = Node("gateway", free_port(), root / "gateway", "E2E hospital gateway")
    prepare([hub, gateway])
    try:
        for node in (hub, gateway):
            node.start()
        for node in (hub, gateway):
            node.wait_until_up()
        yield TwoNodes(hub=hub, gateway=gateway)
    finally:
        for node in (hub, gateway):
            node.stop()


def _signed_in(browser: Browser, base_url: str, username: str) -> tuple[BrowserContext, Page]:
    """A fresh browser context for ``username``: password, then TOTP enrolment from the key on the page."""
    context = browser.new_context(base_url=base_url, accept_downloads=True, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/accounts/enroll/**")
    secret = page.inner_text("[data-testid=totp-secret]").replace(" ", "").strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{base_url}/")
    return context, page


def _reload_until_visible(page: Page, locator: Locator, *, timeout_ms: int = WORKER_WAIT_MS) -> None:
    """Wait for ``locator`` to show, reloading the page: the change comes from a background worker or the peer."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            expect(locator).to_be_visible(timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_second_opinion_goes_from_the_referring_physician_to_the_specialist_and_back(
    nodes: TwoNodes, browser: Browser, tmp_path: Path
) -> None:
    hub, gateway = nodes.hub, nodes.gateway
    _, physician = _signed_in(browser, gateway.url, "dr.li")
    _, coordinator = _signed_in(browser, hub.url, "coord.garcia")
    _, specialist = _signed_in(browser, hub.url, "dr.miller")

    # The referring physician reads in English here (dr.li's own default is Chinese).
    physician.get_by_role("button", name="English").click()
    physician.goto("/cases/")
    row = physician.locator("[data-testid=case-list] tr", has_text="陈志明")
    expect(row).to_have_attribute("data-state", "draft")
    reference = row.get_attribute("data-reference")
    assert reference
    row.get_by_role("link", name=reference).click()
    expect(physician.get_by_role("heading", level=1)).to_contain_text(reference)
    physician.get_by_test_id("submit-form").get_by_role("button").click()
    # The pipeline (checks, de-identification, packaging, transfer) runs on the gateway's worker.
    _reload_until_visible(physician, physician.locator("[data-testid=case-state].state-submitted"))

    # The hub coordinator finds it in the intake queue, accepts it and assigns the specialist.
    coordinator.goto("/cases/intake/")
    intake_row = coordinator.get_by_test_id("intake-queue").locator(f"tr[data-reference='{reference}']")
    _reload_until_visible(coordinator, intake_row)
    coordinator.get_by_test_id(f"accept-{reference}").click()
    coordinator.get_by_test_id(f"assign-{reference}").click()
    suggestion = coordinator.locator("[data-testid=suggestions] tr[data-specialist='dr.miller']")
    suggestion.locator("input[name=specialists]").check()
    suggestion.locator("input[name=lead]").check()
    coordinator.get_by_test_id("confirm-assignment").click()
    expect(coordinator.get_by_test_id("case-state")).to_contain_text("In review")

    # The specialist reviews the de-identified case and writes and signs the structured opinion.
    specialist.goto("/cases/intake/")
    specialist.get_by_test_id("my-assignments").get_by_role("link", name=reference).click()
    workspace = specialist.get_by_test_id("case-facts")
    expect(workspace).to_be_visible()
    expect(specialist.locator("body")).not_to_contain_text("陈志明")
    expect(specialist.locator("body")).not_to_contain_text("ZY2026004817")
    # The PET-CT series arrived de-identified and is shown slice by slice.
    expect(specialist.get_by_test_id("slice-viewer").first).to_be_visible()
    form = specialist.get_by_test_id("opinion-form")
    form.locator("select[name=agreement]").select_option("minor_discordance")
    form.locator("select[name=dx0_system]").select_option("icd10")
    form.locator("input[name=dx0_code]").fill("C83.3")
    form.locator("input[name=dx0_text]").fill("Diffuse large B-cell lymphoma, non-GCB (ABC) type, double expressor")
    form.locator("textarea[name=workup]").fill("Core biopsy of the residual left cervical node before further therapy.")
    form.locator("input[name=regimen]").fill("Pola-R-CHP")
    form.locator("textarea[name=rationale]").fill("Residual Deauville 4 disease after R-CHOP; confirm before salvage.")
    form.locator("textarea[name=guidelines]").fill("NCCN B-cell lymphomas v2.2026")
    form.locator("textarea[name=trials]").fill("Consider a CD19 CAR-T trial if the biopsy confirms residual lymphoma.")
    form.locator("textarea[name=comments]").fill("MYD88 L265P with CD79B suggests the MCD genetic subtype.")
    form.get_by_test_id("sign-opinion").click()
    expect(specialist.get_by_test_id("signed-opinion-1")).to_contain_text("Pola-R-CHP")

    # Back at the gateway: delivered, in English and Chinese, re-linked to the patient.
    physician.goto(f"/cases/{reference}/")
    _reload_until_visible(physician, physician.locator("[data-testid=case-state].state-delivered"))
    delivered = physician.get_by_test_id("opinion-delivered")
    expect(delivered).to_be_visible()
    expect(delivered).to_contain_text("Pola-R-CHP")
    expect(delivered.get_by_test_id("opinion-part-consultant_diagnosis")).to_contain_text("弥漫大B细胞淋巴瘤")
    expect(physician.locator("[data-testid=case-facts]")).to_contain_text("陈志明")

    # The bilingual PDF report: its Chinese text is real text.
    with physician.expect_download() as download_info:
        delivered.get_by_test_id("opinion-pdf").first.click()
    pdf = tmp_path / "opinion.pdf"
    download_info.value.save_as(pdf)
    text = _pdf_text(pdf)
    assert "Pola-R-CHP" in text
    assert "弥漫大B细胞淋巴瘤" in text

    # A follow-up question, answered by the specialist, read by the physician.
    question = "残留淋巴结再次活检若仍为DLBCL，是否首选CAR-T而非自体移植？"
    thread = physician.get_by_test_id("thread")
    thread.locator("textarea[name=body]").fill(question)
    thread.get_by_role("button", name="Send").click()
    expect(physician.get_by_test_id("thread")).to_contain_text(question)

    specialist.goto(f"/cases/{reference}/review/")
    asked = specialist.get_by_test_id("thread-message").filter(has_text="CAR-T")
    _reload_until_visible(specialist, asked)
    answer = "Yes: with early relapse or refractory disease, CD19 CAR-T is preferred over salvage and ASCT."
    hub_thread = specialist.get_by_test_id("thread")
    hub_thread.locator("textarea[name=body]").fill(answer)
    hub_thread.get_by_role("button", name="Send").click()
    expect(specialist.get_by_test_id("thread")).to_contain_text(answer)

    answered = physician.get_by_test_id("thread-message").filter(has_text=answer)
    _reload_until_visible(physician, answered)
