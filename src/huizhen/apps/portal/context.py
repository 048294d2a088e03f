"""Template context every page needs: which node this is and in which role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def node(request: HttpRequest) -> dict[str, Any]:
    return {
        "node_role": settings.HUIZHEN_ROLE,
        "node_name": settings.HUIZHEN_NODE_NAME,
    }
