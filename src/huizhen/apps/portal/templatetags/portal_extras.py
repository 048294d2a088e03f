"""Template tags of the UI shell.

``{% optional_include "nodes/_peer_panel.html" %}`` renders a template another app
provides, or nothing if that app does not provide it, so the shell never depends on
which apps' fragments exist yet.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def optional_include(context: template.Context, template_name: str) -> SafeString:
    try:
        included = get_template(template_name)
    except template.TemplateDoesNotExist:
        return mark_safe("")
    flat: dict[str, Any] = {str(key): value for key, value in context.flatten().items()}
    request = flat.get("request")
    # The included template is trusted project code and escapes its own output.
    return mark_safe(included.render(flat, request))  # noqa: S308
