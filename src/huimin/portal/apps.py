from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "huimin.portal"
    label = "portal"
    verbose_name = "群众自助办理"
