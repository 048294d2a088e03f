"""``huizhen case import|submit|list``: consultation requests from the command line of a gateway.

``import BUNDLE.json`` creates the patient (or reuses them by record number) and a draft
from a FHIR R4 Bundle and prints the case reference; a refused bundle prints its
problems on stderr and exits 2. ``submit REFERENCE`` submits as the referring physician
(or ``--as`` another one); an incomplete request prints what is missing and exits 1.
``list`` prints the gateway's cases (reference, state, pseudonym — never a name). The
same permission checks and services as the pages and the API; everything is audited
under the user named.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.models import Role
from huizhen.apps.consults import authoring, workflow
from huizhen.apps.consults.models import ConsultRequest
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry.fhir import BundleRejected, import_bundle
from huizhen.apps.registry.services import NotAGateway


class Command(BaseCommand):
    help = "Import, submit and list consultation requests (gateway)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imported = sub.add_parser("import", help="create a patient and a draft request from a FHIR R4 Bundle")
        imported.add_argument("bundle", help="path of the Bundle (JSON)")
        imported.add_argument("--physician", help="username of the referring physician (default: the only one)")
        imported.add_argument("--hub", help="name of the consulting hub to address the request to")
        submit = sub.add_parser("submit", help="submit a draft request to its consulting hub")
        submit.add_argument("reference")
        submit.add_argument("--as", dest="as_user", help="username submitting (default: the referring physician)")
        sub.add_parser("list", help="list this gateway's requests")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _user(self, username: str | None) -> Any:
        users = get_user_model().objects.all()
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"no user named {username!r}", returncode=2)
            return user
        physicians = list(users.filter(memberships__role=Role.REFERRING_PHYSICIAN).distinct()[:2])
        if len(physicians) != 1:
            raise CommandError("name the referring physician with --physician USERNAME", returncode=2)
        return physicians[0]

    def _import(self, options: dict[str, Any]) -> None:
        user = self._user(options["physician"])
        if not permissions.can_create_case(user):
            raise CommandError(f"{user.username} may not create consultation requests on this node", returncode=2)
        peer = None
        if options["hub"]:
            peer = Peer.objects.filter(name=options["hub"]).first()
            if peer is None:
                raise CommandError(f"no peer named {options['hub']!r}; see `huizhen peer list`", returncode=2)
        path = Path(options["bundle"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
        try:
            consult = import_bundle(data=data, by=user, peer=peer)
        except BundleRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"problem: {problem}")
            raise CommandError(f"{path}: bundle refused, nothing was created", returncode=2) from None
        except NotAGateway as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for note in getattr(consult, "import_notes", []):
            self.stderr.write(f"note: {note}")
        self.stdout.write(consult.reference)

    def _submit(self, options: dict[str, Any]) -> None:
        consult = ConsultRequest.objects.filter(reference=options["reference"]).first()
        if consult is None:
            raise CommandError(f"no case {options['reference']!r}; see `huizhen case list`", returncode=2)
        user = self._user(options["as_user"]) if options["as_user"] else consult.referring_physician
        if user is None or not permissions.can_submit_case(user, consult):
            raise CommandError("only the referring physician of the case may submit it", returncode=2)
        with translation.override(getattr(user, "language", None) or "en"):
            try:
                consult = authoring.submit_request(consult=consult, by=user)
            except authoring.IncompleteRequest as incomplete:
                for item in incomplete.missing:
                    self.stdout.write(f"missing: {item}")
                raise CommandError(f"{consult.reference} is incomplete and was not submitted", returncode=1) from None
            except workflow.TransitionRefused as refused:
                raise CommandError(str(refused), returncode=2) from refused
        self.stdout.write(f"{consult.reference}\t{consult.state}")

    def _list(self, options: dict[str, Any]) -> None:
        cases = ConsultRequest.objects.select_related("patient", "peer").order_by("-updated_at")
        for consult in cases:
            pseudonym = consult.patient.pseudonym if consult.patient else consult.patient_pseudonym
            hub = consult.peer.name if consult.peer else "-"
            self.stdout.write(
                f"{consult.reference}\t{consult.state}\t{pseudonym}\t{hub}\t"
                f"{consult.updated_at.isoformat(timespec='seconds')}"
            )
