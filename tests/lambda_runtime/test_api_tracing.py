"""An API request as Lambda runs it with X-Ray active and the request sampled.

Every test elsewhere disables tracing; in AWS the prod stage traces, and an annotation
put outside a subsegment (on Lambda's facade segment) failed every sampled request with
a 500. These run the deployed package under the runtime interface client with a sampled
trace header and read what reached the X-Ray daemon.
"""

from __future__ import annotations

from tests.conftest import TokenFactory
from tests.lambda_runtime.harness import Harness


def _admin(harness: Harness, make_token: TokenFactory) -> dict[str, str]:
    token = make_token(
        "province_admin", sub="harness-admin", issuer=harness.issuer, audience=harness.audience
    )
    return {"Authorization": f"Bearer {token}"}


def test_sampled_request_succeeds_and_is_traced_cold_then_warm(
    harness: Harness, make_token: TokenFactory
) -> None:
    api = harness.stack.function_named("APIHandler")
    assert api.traced, "the template no longer turns X-Ray on for the API function"
    headers = _admin(harness, make_token)
    for cold in (True, False):
        response = harness.gateway.request("GET", "/openapi.json", headers=headers)
        assert response.status == 200, response.body[:500]
        assert response.json()["openapi"].startswith("3.")
        result = response.results[-1]
        assert result.invocation.delivered_headers["Lambda-Runtime-Trace-Id"].endswith("Sampled=1")
        segment = harness.xray.wait_for(result.trace_root, f"## {api.name}")
        assert segment["annotations"]["ColdStart"] is (cold and result.cold)
        assert segment["annotations"]["route"] == "/openapi.json"
        assert segment["annotations"]["Service"] == "khong-giay"
        assert "error" not in segment and "fault" not in segment
    assert harness.xray.malformed == []
