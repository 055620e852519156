from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """双随机、一公开 and inspections, generic over what is inspected. It gives no role anything: each business
    app that supervises something registers its subject kind (``huimin.supervision.subjects.register``) and gives
    the capabilities (``huimin.supervision.capabilities``) to its line's roles."""

    name = "huimin.supervision"
    label = "supervision"
    verbose_name = "监督检查"

    def ready(self):
        from huimin.core import menu
        from huimin.supervision import capabilities as c
        from huimin.supervision import subjects

        subjects.register_duties()  # its lines grow as business apps register their subject kinds

        menu.register("supervision", "双随机抽查", "supervision_draws", "supervision:draws", c.VIEW)
        menu.register("supervision", "检查记录", "supervision_inspections", "supervision:inspections", c.VIEW)
        menu.register("supervision", "逾期未整改", "supervision_overdue", "supervision:overdue", c.VIEW)
        menu.register("supervision", "安全风险", "supervision_risks", "supervision:risks", c.VIEW)
        menu.register("supervision", "投诉", "supervision_complaints", "supervision:complaints", c.VIEW)
