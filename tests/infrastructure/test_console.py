"""CDK assertions on the console's hosting and the API's CORS in the synthesized stack:
private bucket behind CloudFront (OAC), HTTPS, security headers and CSP, config.json
written at deploy time, Cognito's code + PKCE client, CORS on the API, its gateway
responses and the buckets browsers use."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.vocabulary import ALL_CRITERIA, IDENTIFIER_PATTERN, RANKED_LEVELS
from infra.config import load_stage
from infra.console_config import console_config
from tests.infrastructure.cfn import CDK_PROVIDER, render, statements
from tests.infrastructure.conftest import Synth

CONFIG = load_stage("prod")


def _one(synth: Synth, type_: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
    found = [(k, v) for k, v in synth.resources(type_).items() if k.startswith(prefix)]
    assert len(found) == 1, (type_, prefix, [k for k, _ in found])
    return found[0]


def _distribution(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical, resource = _one(synth, "AWS::CloudFront::Distribution", "ConsoleDistribution")
    return logical, resource["Properties"]["DistributionConfig"]


def _origin(synth: Synth) -> str:
    logical, _ = _distribution(synth)
    return f"https://<{logical}.DomainName>"


def _csp(synth: Synth) -> dict[str, list[str]]:
    _, policy = _one(synth, "AWS::CloudFront::ResponseHeadersPolicy")
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    text = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = [d.split() for d in text.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


# --- hosting --------------------------------------------------------------------------------


def test_console_bucket_is_private_and_read_only_by_the_distribution(synth: Synth) -> None:
    bucket_logical, bucket = _one(synth, "AWS::S3::Bucket", "ConsoleBucket")
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert "WebsiteConfiguration" not in props  # served by CloudFront, never as a website
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "console/"

    dist_logical, dist = _distribution(synth)
    (origin,) = dist["Origins"]
    assert render(origin["DomainName"]) == f"<{bucket_logical}.RegionalDomainName>"
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    oac_logical = origin["OriginAccessControlId"]["Fn::GetAtt"][0]
    oac = synth.template["Resources"][oac_logical]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always" and oac["SigningProtocol"] == "sigv4"

    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_logical}
    ]
    allows = [s for s in policy if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source = render(allow["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert source.endswith(f":distribution/<{dist_logical}>")
    denies = [s for s in policy if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_distribution_is_https_only_logged_and_sends_security_headers(synth: Synth) -> None:
    _, dist = _distribution(synth)
    behavior = dist["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert dist["DefaultRootObject"] == "index.html"
    assert dist["Logging"]["Prefix"]
    assert render(dist["Logging"]["Bucket"]).startswith("<ConsoleCdnLogs")
    policy_logical, policy = _one(synth, "AWS::CloudFront::ResponseHeadersPolicy")
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_logical}
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600 and hsts["IncludeSubdomains"]
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    for header in ("ContentSecurityPolicy", "StrictTransportSecurity", "FrameOptions"):
        assert security[header]["Override"] is True, header
    if not CONFIG.console_domain_name:
        assert "ViewerCertificate" not in dist  # the default *.cloudfront.net certificate
    else:
        assert dist["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"


def test_content_security_policy_is_strict(synth: Synth) -> None:
    csp = _csp(synth)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    text = json.dumps(csp)
    for loose in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "strict-dynamic", "http:"):
        assert loose not in text, loose
    region = CONFIG.region
    connect = csp["connect-src"]
    assert connect[0] == "'self'"
    assert f"https://*.execute-api.{region}.amazonaws.com" in connect
    assert f"https://{CONFIG.auth_domain_prefix}.auth.{region}.amazoncognito.com" in connect
    assert f"https://*.s3.{region}.amazonaws.com" in connect
    assert all(src.startswith("https://") for src in connect[1:]), connect
    assert "*" not in connect and "https:" not in connect


# --- config.json ------------------------------------------------------------------------------


def _deployment(synth: Synth) -> dict[str, Any]:
    _, deployment = _one(synth, "Custom::CDKBucketDeployment")
    return dict(deployment["Properties"])


def _deployed_config(synth: Synth) -> dict[str, Any]:
    """config.json as deployed: the asset's file with CDK's deploy-time markers replaced by
    the rendered CloudFormation values they stand for."""
    props = _deployment(synth)
    for key, markers in zip(props["SourceObjectKeys"], props["SourceMarkers"], strict=True):
        asset = Path(synth.outdir) / f"asset.{key.removesuffix('.zip')}"
        config_file = asset / "config.json"
        if config_file.is_file():
            text = config_file.read_text(encoding="utf-8")
            for marker, value in markers.items():
                text = text.replace(marker, render(value))  # the value is a JSON string
            return dict(json.loads(text))
    pytest.fail("no source of the console deployment holds config.json")


def test_console_is_deployed_with_a_config_file(synth: Synth) -> None:
    props = _deployment(synth)
    bucket_logical, _ = _one(synth, "AWS::S3::Bucket", "ConsoleBucket")
    dist_logical, _ = _distribution(synth)
    assert props["DestinationBucketName"] == {"Ref": bucket_logical}
    assert props["DistributionId"] == {"Ref": dist_logical}
    assert props["DistributionPaths"] == ["/*"]
    assert props["Prune"] is True
    assert props["SystemMetadata"]["cache-control"] == "no-cache"
    provider = props["ServiceToken"]["Fn::GetAtt"][0]
    assert CDK_PROVIDER.fullmatch(provider)

    config = _deployed_config(synth)
    origin = _origin(synth)
    assert config["api_url"] == "https://<RestAPI>.execute-api.REGION.amazonaws.com/v1/"
    assert config["stage"] == "prod"
    auth = config["auth"]
    assert auth["type"] == "cognito"
    assert auth["region"] == CONFIG.region
    assert re.fullmatch(r"<AuthUserPool[0-9A-F]{8}>", auth["user_pool_id"])
    assert re.fullmatch(r"<AuthUserPoolWebClient[0-9A-F]{8}>", auth["client_id"])
    assert auth["domain"] == (
        f"https://{CONFIG.auth_domain_prefix}.auth.{CONFIG.region}.amazoncognito.com"
    )
    assert auth["redirect_uri"] == auth["logout_uri"] == f"{origin}/"
    assert auth["scopes"] == ["openid", "email", "profile"]
    # The zone every function is given and the vocabulary: the console restates neither.
    from tests.infrastructure.cfn import functions

    zones = {
        fn["Properties"]["Environment"]["Variables"]["CAMPAIGN_TIMEZONE"]
        for fn in functions(synth.template).values()
    }
    assert zones == {config["time_zone"]} == {"Asia/Ho_Chi_Minh"}
    assert config["identifier_pattern"] == IDENTIFIER_PATTERN
    assert config["province_levels"] == ["province", "department"]
    assert config["ranked_levels"] == list(RANKED_LEVELS)
    # The vocabulary's criteria (tests/unit/test_console_config.py pins their entries).
    built = console_config(api_url="", stage="", auth={}, app_environment={})
    assert config["criteria"] == built["criteria"]
    assert [c["key"] for c in config["criteria"]] == list(ALL_CRITERIA)
    assert config["default_award_quotas"] == {"collective": 10, "individual": 10}


def test_deployment_function_is_scoped_to_the_console(synth: Synth) -> None:
    (fn,) = [r for k, r in synth.template["Resources"].items() if CDK_PROVIDER.fullmatch(k)]
    role_logical = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    assert role_logical.startswith("ConsoleDeployRole")
    role = synth.template["Resources"][role_logical]
    assert "ManagedPolicyArns" not in role["Properties"]
    attached = [
        p
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_logical} in p["Properties"]["Roles"]
    ]
    writes = []
    for policy in attached:
        for st in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if any(a.startswith("s3:") and ("Put" in a or "Delete" in a) for a in actions):
                writes += [render(r) for r in st["Resource"]]
    assert writes and all(w.startswith("<ConsoleBucket") for w in writes), writes
    for st in statements(role):
        assert set(st["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
        assert render(st["Resource"]).startswith("<ConsoleDeployLogs")
    group = render(fn["Properties"]["LoggingConfig"]["LogGroup"])
    assert group.startswith("<ConsoleDeployLogs")


# --- Cognito ----------------------------------------------------------------------------------


def test_app_client_uses_the_code_flow_with_pkce_and_no_secret(synth: Synth) -> None:
    _, client = _one(synth, "AWS::Cognito::UserPoolClient")
    props = client["Properties"]
    assert props["GenerateSecret"] is False  # a public client: PKCE proves it
    assert props["AllowedOAuthFlows"] == ["code"]  # no implicit grant
    assert props["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(props["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    console = f"{_origin(synth)}/"
    callbacks = [render(u) for u in props["CallbackURLs"]]
    assert callbacks == [console, *CONFIG.auth_callback_urls]
    assert [render(u) for u in props["LogoutURLs"]] == [console]
    (domain,) = synth.resources("AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"]["Domain"] == CONFIG.auth_domain_prefix


# --- CORS -------------------------------------------------------------------------------------


def test_api_functions_allow_the_console_origin(synth: Synth) -> None:
    from tests.infrastructure.cfn import functions

    expected = ",".join([_origin(synth), *CONFIG.api_cors_origins])
    for name, fn in functions(synth.template).items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert render(env["CORS_ALLOWED_ORIGINS"]) == expected, name


def test_gateway_responses_carry_the_cors_headers(synth: Synth) -> None:
    from infra.stacks.api import GATEWAY_RESPONSES

    body = synth.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == set(GATEWAY_RESPONSES)
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"} <= set(responses)
    for response_type, entry in responses.items():
        params = {k: render(v) for k, v in entry["responseParameters"].items()}
        header = "gatewayresponse.header."
        assert params[f"{header}Access-Control-Allow-Origin"] == f"'{_origin(synth)}'", (
            response_type
        )
        exposed = params[f"{header}Access-Control-Expose-Headers"].strip("'")
        assert {"X-Request-Id", "Retry-After"} <= {h.strip() for h in exposed.split(",")}
        assert params[f"{header}Vary"] == "'Origin'"


def test_every_path_has_a_preflight_without_authorizer(synth: Synth) -> None:
    paths = synth.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert len(paths) > 10
    for path, operations in paths.items():
        options = operations.get("options")
        assert options is not None, path
        assert not options.get("security"), path  # a preflight carries no token
        integration = options["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy", path  # the function answers it (CORS)
        assert "<APIHandler.Arn>" in render(integration["uri"]), path
    for path in ("/health", "/openapi.json"):
        assert not paths[path]["get"].get("security"), path


def test_browser_buckets_allow_the_console_origin(synth: Synth) -> None:
    from chalicelib.storage.setup import BUCKET_CORS_METHODS

    origins = [_origin(synth), *CONFIG.api_cors_origins]
    buckets = {
        logical: r["Properties"]
        for logical, r in synth.resources("AWS::S3::Bucket").items()
        if logical.startswith("Data")
    }
    seen = set()
    for logical, props in buckets.items():
        name = next(
            (n for n in BUCKET_CORS_METHODS if logical.startswith(f"Data{n.capitalize()}")), None
        )
        if name is None:
            assert "CorsConfiguration" not in props, logical
            continue
        seen.add(name)
        (rule,) = props["CorsConfiguration"]["CorsRules"]
        assert sorted(rule["AllowedMethods"]) == sorted(BUCKET_CORS_METHODS[name])
        assert [render(o) for o in rule["AllowedOrigins"]] == origins
        assert "*" not in rule["AllowedOrigins"]
    assert seen == set(BUCKET_CORS_METHODS)
    assert "POST" in BUCKET_CORS_METHODS["uploads"]


def test_console_and_cors_settings_are_validated(tmp_path: Path) -> None:
    def load(**settings: Any) -> Any:
        path = tmp_path / "stages.json"
        path.write_text(json.dumps({"x": settings}), encoding="utf-8")
        return load_stage("x", path)

    assert load(api_cors_origins=["https://app.example.gov.vn"]).api_cors_origins == (
        "https://app.example.gov.vn",
    )
    for bad in ("*", "http://app.example.gov.vn", "https://app.example.gov.vn/", "https://A.vn"):
        with pytest.raises(ValueError, match="api_cors_origins"):
            load(api_cors_origins=[bad])
    with pytest.raises(ValueError, match="go together"):
        load(console_domain_name="console.example.gov.vn")
    with pytest.raises(ValueError, match="us-east-1"):
        load(
            console_domain_name="console.example.gov.vn",
            console_certificate_arn="arn:aws:acm:ap-southeast-1:111122223333:certificate/x",
        )
