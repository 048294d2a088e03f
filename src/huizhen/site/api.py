"""The node's JSON API (django-ninja); each app contributes one router.

OpenAPI documentation is served at ``/api/docs``.
"""

from ninja import NinjaAPI

from huizhen.apps.consults.api import cases, hub, node, thread, transfer
from huizhen.apps.nodes.api import router as node_router

api = NinjaAPI(title="Huizhen node API", version="1", urls_namespace="api")
api.add_router("/node/", node_router)
# Signed node-to-node consultation traffic (events and de-identified files).
api.add_router("/node/consults/", node.router)
# A case's files through the transfer engine (signed, chunked, resumable).
api.add_router("/node/consults/transfer/", transfer.router)
# The user-facing consultation API: same services as the pages, session + TOTP.
api.add_router("/cases/", cases.router)
api.add_router("/hub/", hub.router)
api.add_router("/threads/", thread.router)
