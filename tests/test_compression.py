"""Pages and API answers travel compressed (issue 17: a page after the first load ≤ 150 KB,
measured by bench/transfer.py); Django's GZip pads each body with random bytes."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_are_sent_compressed_to_a_browser_that_accepts_it(demo):
    client = Client()
    client.force_login(demo["dpo.editor"])
    plain = client.get("/labour/", {"country": "MLI"})
    packed = client.get("/labour/", {"country": "MLI"}, HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(packed.content)
    assert b"4W matrix" in body
    assert len(packed.content) * 3 < len(body)
