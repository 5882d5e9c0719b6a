"""The console's Content-Security-Policy, one definition for CloudFront (infra/stacks/
console.py) and the local console server (scripts/console_server.py), so the browser
tests run under the policy that is deployed. No AWS CDK import: the local stack uses it."""

from __future__ import annotations

from collections.abc import Sequence


def content_security_policy(connect: Sequence[str]) -> str:
    """No inline script or style, no eval, nothing framed or framing; the page talks to
    itself and to `connect` (the API, the hosted UI's token endpoint, S3)."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src " + " ".join(["'self'", *connect]),
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )
