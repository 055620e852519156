from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "huimin.registry"
    label = "registry"
    verbose_name = "社会救助对象库"

    def ready(self):
        from huimin.core import menu
        from huimin.core.roles import PEOPLE_BANK_CONFIRM, PEOPLE_EDIT, PEOPLE_MERGE, PEOPLE_VIEW

        menu.register("registry", "人员", "registry_persons", "registry:persons", PEOPLE_VIEW)
        menu.register("registry", "家庭", "registry_households", "registry:households", PEOPLE_VIEW)
        menu.register("registry", "登记家庭", "registry_register", "registry:household_register", PEOPLE_EDIT)
        menu.register("registry", "台账导入", "registry_import", "registry:import", PEOPLE_EDIT)
        menu.register("registry", "疑似重复人员", "registry_duplicates", "registry:duplicates", PEOPLE_MERGE)
        menu.register(
            "registry", "银行账号变更确认", "registry_bank_changes", "registry:bank_changes", PEOPLE_BANK_CONFIRM
        )

        from huimin.core import todos
        from huimin.registry.todos import bank_changes

        todos.register(bank_changes)
