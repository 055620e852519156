"""Signed-in sessions: who is loaded on each request, and how an idle session ends.

A session ends ``SESSION_COOKIE_AGE`` (``HUIMIN_IDLE_MINUTES``) after it was last written. Writing it on every
request (Django's ``SESSION_SAVE_EVERY_REQUEST``) costs a transaction per page; ``IdleSessionMiddleware`` writes it
at most once per ``HUIMIN_SESSION_TOUCH_SECONDS`` instead, so an idle session ends between that many seconds
before and exactly ``HUIMIN_IDLE_MINUTES`` after its last request — never later.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

TOUCHED = "huimin_touched"


class IdleSessionMiddleware:
    """Marks a live session for writing (a new expiry) when its last write is older than the touch interval: a
    staff member's, a resident's on the portal, a social organisation's — any session the request came with that
    still holds something. Sits after SessionMiddleware, which writes what is marked when the response goes out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not (session.modified or settings.SESSION_COOKIE_NAME in request.COOKIES):
            return response  # no session came with the request and none was opened
        if not set(session.keys()) - {TOUCHED}:
            return response  # expired, flushed (signed out) or empty: nothing to keep alive
        now = int(time.time())
        if session.modified or now - session.get(TOUCHED, 0) >= settings.HUIMIN_SESSION_TOUCH_SECONDS:
            session[TOUCHED] = now  # written with this response: its expiry starts now
        return response


class UserBackend(ModelBackend):
    """Django's model backend, loading the signed-in user with the region every page shows and the role
    assignments every permission check reads: two queries a request instead of three."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = (
                user_model._default_manager.select_related("region")
                .prefetch_related("role_assignments")
                .get(pk=user_id)
            )
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
