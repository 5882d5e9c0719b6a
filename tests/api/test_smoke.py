from tests.conftest import body


def test_units_empty(api):
    r = api.get("/units")
    assert r.status_code == 200, r.body
    assert body(r) == {"items": [], "next_token": None}


def test_unknown_route(api):
    r = api.get("/nope")
    assert r.status_code == 404
    assert body(r)["error"]["code"] == "not_found"


def test_no_token(api):
    r = api.get("/units", token=None)
    assert r.status_code == 401
    assert body(r)["error"]["code"] == "unauthorized"
