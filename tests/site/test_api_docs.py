"""The node API documents itself: OpenAPI schema and interactive docs at /api/docs."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_openapi_schema_lists_the_node_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Huizhen node API"
    assert "/api/node/ping" in schema["paths"]
    assert "/api/node/identity" in schema["paths"]


@pytest.mark.django_db
def test_api_docs_page_is_served(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
