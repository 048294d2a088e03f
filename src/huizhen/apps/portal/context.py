"""Template context every page needs: which node this is, in which role, and what the user may open.

The navigation asks :mod:`huizhen.apps.accounts.permissions` rather than deciding in
templates, so a link is shown exactly when its page would let the user in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.selectors import session_is_verified


def node(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    verified = session_is_verified(request)
    return {
        "node_role": settings.HUIZHEN_ROLE,
        "node_name": settings.HUIZHEN_NODE_NAME,
        "node_public_url": settings.HUIZHEN_PUBLIC_URL,
        "session_verified": verified,
        "nav_peers": verified and permissions.can_view_peers(user),
        "nav_audit": verified and permissions.can_view_audit_log(user),
        "nav_users": verified and permissions.can_manage_users(user),
        "nav_policy": verified and permissions.can_view_policy(user),
        "nav_translations": verified and permissions.can_view_translations(user),
        "nav_cases": verified and permissions.can_view_case_list(user),
        "nav_patients": verified and permissions.can_manage_patients(user),
    }
