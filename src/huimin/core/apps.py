from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huimin.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from huimin.core import menu

        menu.register("system", "区划", "regions", "core:regions", "regions.view")
        menu.register("system", "用户与角色", "users", "core:users", "users.view")
        menu.register("system", "审计日志", "audit", "core:audit", "audit.view")
        menu.register(
            "system", "三员账号变更申请", "account_requests", "core:account_requests", "accounts.system.confirm"
        )

        menu.register("system", "职责分离规则", "duty_rules", "core:duty_rules", "duties.manage")

        from django.db.models.signals import post_migrate

        from huimin.core import duties, logins, system_accounts, todos

        post_migrate.connect(duties.ensure_defaults, sender=self, dispatch_uid="core.duties.ensure_defaults")

        todos.register(system_accounts.todos)
        logins.connect()
