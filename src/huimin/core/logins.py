"""The 工作台's "上次登录": the login before this one. Django overwrites ``last_login`` when a user logs in, so the
previous value is kept in the new session first; a first login has none (首次登录)."""

import datetime

from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in

PREVIOUS_LOGIN_SESSION_KEY = "huimin_previous_login"


def remember_previous_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        previous = user.last_login.isoformat() if user.last_login else ""
        request.session[PREVIOUS_LOGIN_SESSION_KEY] = previous
    update_last_login(sender, user, **kwargs)


def connect() -> None:
    """Take the place of Django's own last_login receiver, so the old value is read before it is overwritten."""
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    user_logged_in.connect(remember_previous_login, dispatch_uid="update_last_login")


def previous_login(request) -> datetime.datetime | str | None:
    """The login before this session's, FIRST_LOGIN when there was none, None when unknown (a session opened before
    the previous login was recorded)."""
    value = request.session.get(PREVIOUS_LOGIN_SESSION_KEY)
    if value is None:
        return None
    return datetime.datetime.fromisoformat(value) if value else FIRST_LOGIN


FIRST_LOGIN = "first"
