"""Single sign-on with OpenID Connect (Authlib's Flask client): the button on the sign-in page, the redirect to the
provider (state, nonce, PKCE S256) and the way back, which ends in the same server-side session a password makes."""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session
from flask_babel import gettext as _
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from ...domain import sso as sso_domain
from ...settings import Settings
from ..limits import limiter
from ..messages import translate
from ..runtime import runtime
from ..session_auth import sign_in
from .auth import safe_next

log = logging.getLogger(__name__)

sso = Blueprint("sso", __name__)

CALLBACK_PATH = "/inloggen/sso/terug"
_NEXT = "sso_next"  # where to go after signing in, kept in the session while the person is at the provider
_PROVIDER_TIMEOUT = 10  # seconds per call to the provider; a hanging provider must not hold a request thread
# What the provider can send that does not hold up (an ID token for another issuer or audience, expired, badly
# signed; a broken answer), and the network failing on the way to it: neither may become a 500.
_BAD_ANSWER = (AuthlibBaseError, JoseError, ValueError, KeyError)
_PROVIDER_TROUBLE = (requests.RequestException, *_BAD_ANSWER)


def is_configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def init_sso(app: Flask) -> None:
    """Register the provider (when configured), the routes and the sign-in page's button."""
    settings: Settings = app.extensions["sto"].settings
    if is_configured(settings):
        oauth = OAuth(app)
        oauth.register(
            name="sso",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "default_timeout": _PROVIDER_TIMEOUT,
            },
        )
    app.register_blueprint(sso)

    @app.context_processor
    def _sso_button() -> dict[str, object]:
        if not is_configured(settings):
            return {"sso_label": None}
        # The default text is ours and has a translation; a label an operator chose is shown as they wrote it.
        default = settings.oidc_label == Settings.oidc_label
        return {"sso_label": _("Aanmelden met uw organisatie-account") if default else settings.oidc_label}


def _client() -> Any:
    """The provider's client, or 404: without configuration these addresses do not exist."""
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    if oauth is None:
        abort(404)
    return oauth.create_client("sso")


@sso.get("/inloggen/sso")
@limiter.limit(lambda: runtime().settings.login_rate_limit)
def start() -> Response | tuple[str, int]:
    client = _client()
    session[_NEXT] = safe_next(request.args.get("next"))
    redirect_uri = runtime().settings.base_url + CALLBACK_PATH  # exactly what is registered at the provider
    try:
        # Authlib adds the state, a nonce (the scope holds openid) and the PKCE challenge, and keeps them in the
        # session until the person comes back.
        return client.authorize_redirect(redirect_uri)
    except _PROVIDER_TROUBLE as err:
        log.warning("Single sign-on: the provider's discovery document could not be read (%s)", type(err).__name__)
        return _refused(_("Uw organisatie is nu niet bereikbaar. Probeer het later opnieuw."), 502)


@sso.get(CALLBACK_PATH)
@limiter.limit(lambda: runtime().settings.login_rate_limit)  # as password sign-in: no fast guessing of codes
def callback() -> Response | tuple[str, int]:
    client = _client()
    next_page = session.pop(_NEXT, "")
    try:
        # State, code exchange (with the PKCE verifier), then the ID token: signature, nonce, expiry, and the
        # claims below. Authlib alone would check the audience only through azp: we require our client id in it.
        token = client.authorize_access_token(claims_options=_id_token_rules(runtime().settings))
    except MismatchingStateError:
        log.info("Single sign-on refused: unknown or reused state")
        return _refused(_("Het aanmelden via uw organisatie is verlopen of ongeldig. Probeer het opnieuw."), 400)
    except OAuthError as err:
        log.info("Single sign-on refused by the provider: %s", err.error)
        if err.error == "access_denied":
            return _refused(_("U heeft het aanmelden bij uw organisatie afgebroken, of uw organisatie weigerde het."))
        return _refused(_("Uw organisatie kon het aanmelden niet afronden. Probeer het opnieuw."), 502)
    except requests.RequestException as err:
        log.warning("Single sign-on: the provider could not be reached (%s)", type(err).__name__)
        return _refused(_("Uw organisatie is nu niet bereikbaar. Probeer het later opnieuw."), 502)
    except _BAD_ANSWER as err:
        log.warning("Single sign-on refused: the provider's answer did not hold up (%s: %s)", type(err).__name__, err)
        return _refused(_("Uw organisatie kon het aanmelden niet afronden. Probeer het opnieuw."), 502)
    claims = token.get("userinfo")
    if claims is None:  # no ID token: nothing was validated, so nobody is signed in
        log.warning("Single sign-on refused: the provider sent no ID token")
        return _refused(_("Uw organisatie kon het aanmelden niet afronden. Probeer het opnieuw."), 502)
    identity = sso_domain.ProviderIdentity.from_claims(add_missing_email(client, token, dict(claims)))
    rt = runtime()
    try:
        with rt.transaction(write=True) as db_session:
            user = sso_domain.sign_on(db_session, identity=identity, now=rt.clock())
            user_id = user.id
            sign_in(db_session, user_id)
    except sso_domain.SignOnRefused as err:
        log.info("Single sign-on refused: %s", err.reason)
        return _refused(translate(err.message), 403)
    log.info("User %s signed in via single sign-on", user_id)
    return redirect(safe_next(next_page))


def _id_token_rules(settings: Settings) -> dict[str, Any]:
    issuer = settings.oidc_issuer
    return {
        "iss": {"essential": True, "values": [issuer, f"{issuer}/"]},  # some providers end theirs with a slash
        "aud": {"essential": True, "values": [settings.oidc_client_id]},
        "sub": {"essential": True},
    }


def add_missing_email(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """Some providers put the email only in the user info, not in the ID token: ask for it, for the same subject."""
    if "email" in claims or "access_token" not in token:
        return claims
    try:
        extra = client.userinfo(token=token)
    except _PROVIDER_TROUBLE as err:
        log.warning("Single sign-on: the user info could not be read (%s)", type(err).__name__)
        return claims
    if extra.get("sub") != claims.get("sub"):  # another person's answer would be worse than none
        return claims
    return {**claims, "email": extra.get("email"), "email_verified": extra.get("email_verified")}


def _refused(message: str, status: int = 401) -> tuple[str, int]:
    """The sign-in page again, with why; no session was started."""
    return render_template("sign_in.html", next="", email="", error=message), status
