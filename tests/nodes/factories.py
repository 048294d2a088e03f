"""Factories for peers, each with a freshly generated Ed25519 key."""

from __future__ import annotations

import factory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from huizhen.apps.nodes.models import Peer
from huizhen.httpsig import keys


class PeerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Peer

    class Params:
        private_key = factory.LazyFunction(Ed25519PrivateKey.generate)

    name = factory.Sequence(lambda n: f"Gateway {n}")
    base_url = factory.Sequence(lambda n: f"http://127.0.0.1:{9000 + n}")
    public_key = factory.LazyAttribute(lambda o: keys.public_key_to_b64(o.private_key.public_key()))
    fingerprint = factory.LazyAttribute(lambda o: keys.fingerprint(o.private_key.public_key()))
    role = Peer.Role.GATEWAY
