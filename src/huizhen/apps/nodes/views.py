"""Peer pages: the list with live status badges, registration for administrators, the home-page panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.nodes.forms import PeerRegistrationForm
from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.selectors import peer_list
from huizhen.apps.nodes.services import PeerError, add_peer, ping_peer

#: The status badge pings live; a page must not hang on a peer that is down.
BADGE_TIMEOUT_SECONDS = 3.0


def _require_view(request: HttpRequest) -> None:
    if not permissions.can_view_peers(request.user):
        raise permissions.deny(user=request.user, action="peer.view", target=request.path, request=request)


@login_required
@require_http_methods(["GET", "POST"])
def peers(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    can_manage = permissions.can_manage_peers(request.user)
    form = PeerRegistrationForm() if can_manage else None
    return render(
        request,
        "nodes/peers.html",
        {"peers": peer_list(), "form": form, "can_manage": can_manage, "identity": node_identity()},
    )


@login_required
@require_POST
def register(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_peers(request.user):
        raise permissions.deny(user=request.user, action="peer.add", target=request.path, request=request)
    form = PeerRegistrationForm(request.POST)
    if form.is_valid():
        try:
            peer = add_peer(
                base_url=form.cleaned_data["base_url"],
                fingerprint=form.cleaned_data["fingerprint"],
                name=form.cleaned_data["name"] or None,
                by=request.user,
            )
        except PeerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Peer “%(name)s” registered.") % {"name": peer.name})
            return redirect("nodes:peers")
    return render(
        request,
        "nodes/peers.html",
        {"peers": peer_list(), "form": form, "can_manage": True, "identity": node_identity()},
        status=400,
    )


@login_required
@require_GET
def peer_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx partial: ping the peer now and render its badge."""
    _require_view(request)
    peer = get_object_or_404(Peer, pk=pk)
    result = ping_peer(peer=peer, timeout=BADGE_TIMEOUT_SECONDS, actor=request.user)
    return render(request, "nodes/_peer_status.html", {"peer": peer, "result": result})


@login_required
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """htmx partial for the home page: the peer list, each with a self-loading badge."""
    _require_view(request)
    return render(request, "nodes/_peer_rows.html", {"peers": peer_list()})
