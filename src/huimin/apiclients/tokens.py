"""API client tokens: how one is made and how a presented one finds its client. Only the token's SHA-256 is
stored. The client services use it, and the API's authentication (huimin.apikit) is handed ``find`` when the app
is ready."""

import hashlib
import secrets

from huimin.apiclients.models import ApiClient

TOKEN_START = "hm_"  # noqa: S105 - the public prefix of every token, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"


def find(token: str) -> ApiClient | None:
    """The active client of a token. Tokens issued here start with ``hm_``; the departments' upload credentials
    of the earlier 核对 upload view were folded into API clients with their digests (migration
    verification 0003), so a token of any shape is looked up by its digest."""
    if not token or len(token) > 200:
        return None
    return ApiClient.objects.filter(token_hash=token_hash(token), is_active=True).first()
