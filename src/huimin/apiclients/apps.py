from django.apps import AppConfig


class ApiClientsConfig(AppConfig):
    name = "huimin.apiclients"
    label = "apiclients"
    verbose_name = "接口客户端"

    def ready(self):
        from huimin.core import menu
        from huimin.core.roles import API_CLIENTS_MANAGE

        menu.register("system", "接口客户端", "api_clients", "apiclients:clients", API_CLIENTS_MANAGE)

        from huimin import apikit
        from huimin.apiclients.models import ClientPrincipal
        from huimin.apiclients.tokens import find

        apikit.accept_clients(find, ClientPrincipal)
