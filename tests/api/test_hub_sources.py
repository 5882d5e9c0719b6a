"""Hub sources: a source the service pulls from a document-exchange hub (issue 25)."""

from __future__ import annotations

import json

from tests.conftest import body
from tests.factories import PROVINCE, load_registry

HUB = {
    "base_url": "http://127.0.0.1:9/lgsp",
    "system_id": "khong-giay",
    "secret": "s3cr3t-of-the-hub",
}


def test_a_hub_source_is_registered_with_its_settings_and_never_shows_its_secret(api):
    load_registry(api)
    r = api.post(
        "/admin/sources",
        {"source_id": "lgsp", "name": "LGSP tỉnh", "units": [PROVINCE], "kind": "hub", "hub": HUB},
    )
    assert r.status_code == 201, r.body
    created = body(r)
    assert created["kind"] == "hub" and created["mode"] == "live"
    assert created["secret"] is None  # pulled, not pushed: no webhook secret

    listed = body(api.get("/admin/sources"))["items"][0]
    assert listed["hub"] == {
        "base_url": HUB["base_url"],
        "system_id": "khong-giay",
        "message_types": ["edoc", "status"],
        "poll_every_minutes": 5,
        "acknowledge": False,
        "dialect": "lgsp",
        "pull_from": None,
    }
    assert HUB["secret"] not in json.dumps(body(api.get("/admin/sources")))

    from chalicelib.storage import sources as source_store

    stored = source_store.get_source("lgsp")
    assert stored is not None and stored.hub is not None
    assert HUB["secret"].encode() not in stored.hub.secret_ciphertext
    assert source_store.decrypt_secret(stored.hub.secret_ciphertext, "lgsp") == HUB["secret"]


def test_patch_changes_hub_settings_and_replaces_the_secret(api):
    load_registry(api)
    api.post(
        "/admin/sources",
        {"source_id": "lgsp", "name": "LGSP", "units": [PROVINCE], "kind": "hub", "hub": HUB},
    )
    r = api.request(
        "PATCH",
        "/admin/sources/lgsp",
        {"hub": {"poll_every_minutes": 15, "acknowledge": True, "secret": "new-one"}},
    )
    assert r.status_code == 200, r.body
    hub = body(r)["hub"]
    assert hub["poll_every_minutes"] == 15 and hub["acknowledge"] is True
    assert hub["base_url"] == HUB["base_url"]
    from chalicelib.storage import sources as source_store

    stored = source_store.get_source("lgsp")
    assert stored is not None and stored.hub is not None
    assert source_store.decrypt_secret(stored.hub.secret_ciphertext, "lgsp") == "new-one"


def test_hub_settings_are_checked(api):
    load_registry(api)
    base = {"source_id": "lgsp", "name": "LGSP", "units": [PROVINCE]}
    # a hub without its settings, a webhook with them, a bad URL, an unknown message type
    for payload in (
        {**base, "kind": "hub"},
        {**base, "hub": HUB},
        {**base, "kind": "hub", "hub": {**HUB, "base_url": "ftp://hub"}},
        {**base, "kind": "hub", "hub": {**HUB, "message_types": ["edoc", "fax"]}},
        {**base, "kind": "hub", "hub": {**HUB, "poll_every_minutes": 0}},
    ):
        r = api.post("/admin/sources", payload)
        assert r.status_code in (400, 422), (payload, r.body)
    api.post("/admin/sources", {**base, "source_id": "push"})
    r = api.request("PATCH", "/admin/sources/push", {"hub": {"acknowledge": True}})
    assert r.status_code == 400, r.body


def test_mode_defaults_to_live_and_can_be_switched(api):
    load_registry(api)
    r = api.post(
        "/admin/sources", {"source_id": "v", "name": "Vendor", "units": [PROVINCE], "mode": "test"}
    )
    assert r.status_code == 201 and body(r)["mode"] == "test" and body(r)["secret"]
    r = api.request("PATCH", "/admin/sources/v", {"mode": "live"})
    assert r.status_code == 200 and body(r)["mode"] == "live" and body(r)["kind"] == "webhook"
