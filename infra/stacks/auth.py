"""Cognito: the user pool whose ID tokens the API's JWT authorizer verifies.

`custom:role` and `custom:unit_id` are set by administrators only (AdminCreateUser /
AdminUpdateUserAttributes): the app client may read them but not write them, so a
user cannot promote themselves or move to another unit.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.config import StageConfig

# Attributes the app client may write (users' own profile): standard ones only.
USER_WRITABLE = cognito.ClientAttributes().with_standard_attributes(
    fullname=True, preferred_username=True, locale=True
)
CUSTOM_ATTRIBUTES = ("role", "unit_id")


def hosted_ui_url(config: StageConfig) -> str:
    """The hosted UI's base URL, "" without `auth_domain_prefix`."""
    if not config.auth_domain_prefix:
        return ""
    return f"https://{config.auth_domain_prefix}.auth.{config.region}.amazoncognito.com"


class Auth(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, console_url: str
    ) -> None:
        """`console_url`: the console's address ("https://host/"), the hosted UI's callback
        and sign-out URL besides the stage's `auth_callback_urls`."""
        super().__init__(scope, construct_id)
        self.config = config
        mfa = {
            "REQUIRED": cognito.Mfa.REQUIRED,
            "OPTIONAL": cognito.Mfa.OPTIONAL,
            "OFF": cognito.Mfa.OFF,
        }[config.mfa]
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=config.stack_name,
            self_sign_up_enabled=False,  # officials are created by administrators
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={
                # mutable so administrators can change them; users cannot (see the client)
                "role": cognito.StringAttribute(min_len=1, max_len=32, mutable=True),
                "unit_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=mfa,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=(
                cognito.FeaturePlan.PLUS
                if config.threat_protection
                else cognito.FeaturePlan.ESSENTIALS
            ),
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION
                if config.threat_protection
                else None
            ),
            deletion_protection=config.protect_data,
            removal_policy=RemovalPolicy.RETAIN if config.protect_data else RemovalPolicy.DESTROY,
        )
        if config.threat_protection:
            # cdk-nag (and older tooling) read the legacy add-on property.
            cfn_pool = self.user_pool.node.default_child
            assert isinstance(cfn_pool, cognito.CfnUserPool)
            cfn_pool.user_pool_add_ons = cognito.CfnUserPool.UserPoolAddOnsProperty(
                advanced_security_mode="ENFORCED"
            )

        readable = (
            cognito.ClientAttributes()
            .with_standard_attributes(
                email=True, email_verified=True, fullname=True, preferred_username=True, locale=True
            )
            .with_custom_attributes(*CUSTOM_ATTRIBUTES)
        )
        # Authorization-code flow only (no implicit grant); the client has no secret, so the
        # console proves itself with PKCE. `profile` lets the ID token carry the attributes
        # the client reads, custom:role and custom:unit_id included.
        oauth = cognito.OAuthSettings(
            flows=cognito.OAuthFlows(authorization_code_grant=True),
            scopes=[
                cognito.OAuthScope.OPENID,
                cognito.OAuthScope.EMAIL,
                cognito.OAuthScope.PROFILE,
            ],
            callback_urls=[console_url, *config.auth_callback_urls],
            logout_urls=[console_url],
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=f"{config.stack_name}-web",
            generate_secret=False,  # browser and mobile frontends cannot keep a secret
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            read_attributes=readable,
            write_attributes=USER_WRITABLE,
            o_auth=oauth,
        )
        if config.auth_domain_prefix:
            self.user_pool.add_domain(
                "Domain",
                cognito_domain=cognito.CognitoDomainOptions(
                    domain_prefix=config.auth_domain_prefix
                ),
            )

    @property
    def hosted_ui_url(self) -> str:
        return hosted_ui_url(self.config)

    @property
    def issuer(self) -> str:
        return self.user_pool.user_pool_provider_url

    @property
    def jwks_url(self) -> str:
        return f"{self.user_pool.user_pool_provider_url}/.well-known/jwks.json"
