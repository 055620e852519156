from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "huimin.demo"
    label = "demo"
    verbose_name = "演示城市"
