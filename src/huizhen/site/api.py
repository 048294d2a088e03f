"""The node's JSON API (django-ninja); each app contributes one router.

OpenAPI documentation is served at ``/api/docs``.
"""

from ninja import NinjaAPI

from huizhen.apps.nodes.api import router as node_router

api = NinjaAPI(title="Huizhen node API", version="1", urls_namespace="api")
api.add_router("/node/", node_router)
