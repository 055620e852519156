"""API clients: a department or partner system calling the API with a bearer token limited to named operations
(operation ids of the OpenAPI document) and region subtrees; a department sending 核对 feeds is also limited to
its data sources. Only the token's SHA-256 is stored; the token is shown once when it is issued."""

from django.db import models


class ApiClient(models.Model):
    name = models.CharField("名称", max_length=80, unique=True)
    department = models.CharField("所属部门或系统", max_length=100)
    token_prefix = models.CharField("令牌前缀", max_length=12, unique=True)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    operations = models.JSONField("允许的接口（operationId）", default=list)
    region_prefixes = models.JSONField("允许的区划（代码前缀）", default=list)
    sources = models.JSONField("可报送的部门数据源（核对数据源代码）", default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟调用上限", default=60)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.CharField("签发人", max_length=150, blank=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近调用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口客户端"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClientPrincipal:
    """What ``request.auth`` is for a client call: scope and capability checks (huimin.core.scope/roles) read
    ``region_prefixes`` and ``granted_capabilities``; it is not a staff account and has no region level, so
    services that need a staff member's own authority refuse it."""

    is_authenticated = True
    is_active = True
    is_api_client = True
    pk = None
    id = None
    role = ""
    region = None
    region_id = None

    def __init__(self, client: ApiClient, capabilities: frozenset[str]):
        self.client = client
        self.username = f"api:{client.name}"
        self.full_name = f"{client.department}（{client.name}）"
        self.region_prefixes = tuple(client.region_prefixes)
        self.sources = tuple(client.sources)
        self.granted_capabilities = capabilities

    def __str__(self):
        return self.full_name
