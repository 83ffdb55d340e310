"""/api/openapi.json is a valid OpenAPI 3.1 document, and real responses match it."""
from __future__ import annotations

import pytest

from web import create_app
from web.params import STATE

openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def client(corpus_index):
    return create_app({"MORGUE_INDEX": str(corpus_index), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def document(client):
    return client.get("/api/openapi.json").get_json()


def check(document: dict, path: str, status: str, data) -> None:
    """Validates data against the documented JSON schema of path's response with status."""
    schema = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": document["components"]}).validate(data)


def test_the_document_is_valid_openapi(document):
    openapi_spec_validator.validate(document)


def test_every_machine_route_is_documented(client, document):
    routes = {rule.rule.replace("<article_id>", "{id}") for rule in client.application.url_map.iter_rules()}
    machine = {r for r in routes if r.startswith(("/api/", "/feed", "/export"))} - {"/api/openapi.json"}
    assert machine == set(document["paths"])


@pytest.mark.parametrize("query", ["q=Varga", "q=Vraga", "q=harbour&person=Elena+Varga&sort=newest&page=2",
                                   "from=2025-06&to=2025-07", ""])
def test_search_responses_match_the_document(client, document, query):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 200
    check(document, "/api/search", "200", response.get_json())


def test_article_responses_match_the_document(client, document):
    hit = client.get("/api/search?q=bridge").get_json()["hits"][0]
    check(document, "/api/article/{id}", "200", client.get(f"/api/article/{hit['id']}?q=bridge").get_json())
    missing = client.get("/api/article/nope")
    check(document, "/api/article/{id}", "404", missing.get_json())


@pytest.mark.parametrize("path", ["/api/search?page=0", "/api/search?sort=popular", "/export?format=xml", "/feed?from=soon"])
def test_error_responses_match_the_document(client, document, path):
    response = client.get(path)
    assert response.status_code == 400
    check(document, path.split("?")[0], "400", response.get_json())


def test_documented_parameters_are_the_ones_read(document):
    names = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert names == set(STATE)
