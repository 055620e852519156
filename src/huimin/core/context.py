"""Who is acting, from where: set per request by middleware, per command by the CLI."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str = ""
    ip: str = ""


SYSTEM = Actor(None, "system")
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("huimin_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for(user, ip: str = "") -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "anonymous", "", ip)
    roles = getattr(user, "roles", None) or [r for r in [getattr(user, "role", "")] if r]  # an API principal has none
    return Actor(user.pk, user.username, ",".join(roles), ip)


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(actor: Actor):
    return _current.set(actor)


def reset_actor(token) -> None:
    _current.reset(token)
