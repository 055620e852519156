"""Sending a text message. The gateway is chosen by the setting ``HUIMIN_SMS_GATEWAY`` (a dotted class path).
Production plugs in the bureau's SMS platform by subclassing ``SmsGateway``; development uses the console
backend (the message goes to the log), tests the in-memory one."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("huimin.sms")


class SmsError(Exception):
    """The gateway could not send the message."""


class SmsGateway:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsGateway(SmsGateway):
    """Development only: writes the message, code included, to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        log.warning("短信（开发环境，未实际发送）至 %s：%s", phone, text)


class TestSmsGateway(SmsGateway):
    """Keeps messages in ``outbox`` for tests to read."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        TestSmsGateway.outbox.append((phone, text))


def gateway() -> SmsGateway:
    path = getattr(settings, "HUIMIN_SMS_GATEWAY", "huimin.portal.sms.ConsoleSmsGateway")
    return import_string(path)()
