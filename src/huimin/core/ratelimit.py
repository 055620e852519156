"""Rate limits: fixed-window counters in the Django cache (per process with the default local-memory cache; shared
between workers when HUIMIN_REDIS_URL makes the cache Redis, see docs/api.md). Used by the API (per caller a
minute), the resident portal's identity check (per ID number and per address) and the public 公示 objection form
(per address)."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from huimin.core.services import ServiceError


class RateLimited(ServiceError):
    """Too many attempts in the window; the message is Chinese and says when to try again."""


def hit(kind: str, ident, limit: int, *, seconds: int = 60) -> bool:
    """Count one attempt of ``ident`` at ``kind`` in the current window of ``seconds``; True while the count is
    within ``limit``. Every attempt counts, refused ones too."""
    window = int(timezone.now().timestamp() // seconds)
    key = f"huimin:rate:{kind}:{ident}:{window}"
    cache.add(key, 0, timeout=seconds + 10)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=seconds + 10)
        count = 1
    return count <= limit


def check(kind: str, ident, limit: int, message: str, *, seconds: int = 60) -> None:
    """``hit``, raising RateLimited(message) past the limit."""
    if not hit(kind, ident, limit, seconds=seconds):
        raise RateLimited(message)


def key_of(value: str) -> str:
    """A cache key part for a personal value (an ID number), so the cache never holds it in the clear."""
    return hmac.new(settings.SECRET_KEY.encode(), f"rate:{value}".encode(), hashlib.sha256).hexdigest()[:32]
