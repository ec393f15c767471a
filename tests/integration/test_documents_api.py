"""Documents through the API (/api/v1/documents): a partner's token lists and downloads only the documents
addressed to its partner (here the return report of a file given back); a letter to a debtor and another
partner's document answer 404 ``not_found`` like one that does not exist; no token gets 401.

The office, its payment demands (print step of 02.05.2025) and the return report of Jonas Becker's file
are those of ``test_web_documents``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from kofo import limits
from kofo.audit.models import PersonalDataAccess
from kofo.documents.actions import content_of
from kofo.documents.models import Document, DocumentKind
from kofo.partners.actions import do_issue_api_token
from kofo.partners.models import Partner
from tests import factories
from tests.integration.test_web_documents import _setup, demand_of, printed, returned
from tests.integration.test_web_measures import World, world

__all__ = ["_setup", "printed", "returned", "world"]  # fixtures of the web tests, used here

pytestmark = pytest.mark.django_db
DOCUMENTS = "/api/v1/documents"


def bearer(partner: Partner, name: str = "Kasse") -> str:
    _token, secret = do_issue_api_token(partner, name=name, actor=factories.TEST_ACTOR)
    return f"Bearer {secret}"


def get(client: Client, path: str, auth: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": auth} if auth is not None else {}
    return client.get(path, params, headers=headers)


@pytest.fixture
def stadt(returned: Document) -> str:
    assert returned.partner is not None
    return bearer(returned.partner)


def test_token_lists_only_the_documents_addressed_to_its_partner(
    client: Client, returned: Document, stadt: str
) -> None:
    body = get(client, DOCUMENTS, stadt).json()
    assert (body["count"], body["offset"], body["limit"]) == (1, 0, limits.PAGE_SIZE_DEFAULT)
    assert body["items"] == [
        {
            "id": returned.pk,
            "kind": DocumentKind.RUECKGABE,
            "kind_label": "Rückgabe an den Partner mit Vollstreckungsbericht",
            "title": "Rückgabe von Vollstreckungsersuchen mit Vollstreckungsbericht",
            "letter_date": returned.letter_date.isoformat(),
            "created_at": body["items"][0]["created_at"],
            "sha256": returned.sha256,
            "size_bytes": returned.size_bytes,
            "media_type": "application/pdf",
            "filename": returned.filename,
            "case_number": returned.case.number,
        }
    ]
    # The payment demands to the debtors exist, but are no partner's.
    assert Document.objects.filter(kind=DocumentKind.ZAHLUNGSAUFFORDERUNG).count() == 2
    assert get(client, DOCUMENTS, stadt, offset=1).json()["items"] == []
    assert get(client, DOCUMENTS, stadt, limit=limits.PAGE_SIZE_MAX + 1).status_code == 422


def test_token_downloads_its_own_document(client: Client, returned: Document, stadt: str) -> None:
    response = get(client, f"{DOCUMENTS}/{returned.pk}", stadt)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{returned.filename}"'
    assert response.content == content_of(returned)
    assert hashlib.sha256(response.content).hexdigest() == returned.sha256
    entry = PersonalDataAccess.objects.latest("id")
    assert (entry.channel, entry.actor) == ("api", "api-token:stadt-saarlouis/Kasse")
    assert f"Schriftstück {returned.pk} der Akte {returned.case.number}" in entry.what


def test_debtor_letters_and_other_partners_documents_answer_404(
    client: Client, world: World, returned: Document, stadt: str
) -> None:
    letter = demand_of(world.keller)  # a letter to the debtor about the partner's own claim
    response = get(client, f"{DOCUMENTS}/{letter.pk}", stadt)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": f"Schriftstück {letter.pk} nicht gefunden."}
    assert get(client, f"{DOCUMENTS}/999999", stadt).json()["code"] == "not_found"

    other = bearer(factories.make_partner(key="gemeinde-wallerfangen", name="Gemeinde Wallerfangen"))
    assert get(client, DOCUMENTS, other).json()["count"] == 0
    response = get(client, f"{DOCUMENTS}/{returned.pk}", other)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_without_a_token_401(client: Client, returned: Document) -> None:
    for path in (DOCUMENTS, f"{DOCUMENTS}/{returned.pk}"):
        response = get(client, path)
        assert response.status_code == 401 and response.json()["code"] == "auth.invalid"
