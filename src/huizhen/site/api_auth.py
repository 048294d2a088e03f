"""Authentication of the user-facing JSON API: the browser session, with its second factor.

The second-factor middleware leaves ``/api/`` alone (node-to-node calls are signed, not
session-based), so the API checks it here: a session whose user has not passed TOTP is
refused exactly like no session at all. CSRF is enforced on unsafe methods (ninja's
cookie auth does this when ``csrf`` is true), so a page cannot be tricked into posting.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth


class VerifiedSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and getattr(user, "is_verified", lambda: False)():
            return user
        return None


verified_session = VerifiedSession()
