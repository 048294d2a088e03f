"""``huizhen peer add|list|ping|remove``: manage the nodes this node trusts."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huizhen.apps.nodes.selectors import peer_by_fingerprint, peer_by_name_or_url, peer_list
from huizhen.apps.nodes.services import PeerError, add_peer, ping_peer, remove_peer


class Command(BaseCommand):
    help = "Register, list, check and remove peer nodes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="trust the node at URL if its key has the given fingerprint")
        add.add_argument("url")
        add.add_argument("--fingerprint", required=True, help="SHA256:… as shown by `huizhen node show` on the peer")
        add.add_argument("--public-key", help="base64 public key, to register a peer that is not reachable yet")
        add.add_argument("--name", help="display name (default: the name the peer reports)")
        add.add_argument(
            "--if-absent", action="store_true", help="succeed without change if this key is already registered"
        )
        sub.add_parser("list", help="list registered peers")
        ping = sub.add_parser("ping", help="make a signed call to a peer and verify its signed answer")
        ping.add_argument("peer", help="peer name or base URL")
        ping.add_argument("--timeout", type=float, default=10.0)
        remove = sub.add_parser("remove", help="stop trusting a peer")
        remove.add_argument("peer", help="peer name or base URL")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _find(self, text: str) -> Any:
        peer = peer_by_name_or_url(text)
        if peer is None:
            raise CommandError(f"no peer named {text!r}; see `huizhen peer list`")
        return peer

    def _add(self, options: dict[str, Any]) -> None:
        existing = peer_by_fingerprint(options["fingerprint"])
        if existing is not None and options["if_absent"]:
            self.stdout.write(f'already registered: "{existing.name}" at {existing.base_url} ({existing.fingerprint})')
            return
        try:
            peer = add_peer(
                base_url=options["url"],
                fingerprint=options["fingerprint"],
                public_key=options["public_key"],
                name=options["name"],
            )
        except PeerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f'added: {peer.role or "peer"} "{peer.name}" at {peer.base_url} ({peer.fingerprint})')

    def _list(self, options: dict[str, Any]) -> None:
        peers = list(peer_list())
        if not peers:
            self.stdout.write("no peers registered; add one with `huizhen peer add URL --fingerprint FP`")
            return
        for peer in peers:
            contact = peer.last_contact_at.isoformat(timespec="seconds") if peer.last_contact_at else "never"
            self.stdout.write(
                f"{peer.name}\t{peer.role or '?'}\t{peer.status}\t{peer.base_url}\t{peer.fingerprint}\t"
                f"last contact {contact}"
            )

    def _ping(self, options: dict[str, Any]) -> None:
        peer = self._find(options["peer"])
        result = ping_peer(peer=peer, timeout=options["timeout"])
        if not result.ok:
            raise CommandError(f"failed: {result.error}")
        self.stdout.write(
            f'ok: {result.role} "{result.name}" answered in {result.elapsed_ms} ms, response signature verified'
        )

    def _remove(self, options: dict[str, Any]) -> None:
        peer = self._find(options["peer"])
        remove_peer(peer=peer)
        self.stdout.write(f'removed: "{peer.name}" ({peer.fingerprint}) is no longer trusted')
