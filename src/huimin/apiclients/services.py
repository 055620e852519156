"""Issuing, limiting and revoking API clients (the security officer's duty; audited)."""

from django.db import transaction

from huimin import apikit
from huimin.apiclients.models import ApiClient
from huimin.apiclients.tokens import new_token, token_hash
from huimin.core import audit, regions
from huimin.core.models import Region
from huimin.core.roles import API_CLIENTS_MANAGE
from huimin.core.scope import in_scope
from huimin.core.services import ServiceError, _require
from huimin.engine.sources import SOURCES

FEED_OPERATION = "upload_feed"  # huimin.verification.api: a department sends a 核对 data extract


def _check_operations(operations) -> list[str]:
    operations = sorted({op.strip() for op in operations if op and op.strip()})
    if not operations:
        raise ServiceError("请至少选择一个允许调用的接口")
    grantable = apikit.grantable_operations()
    unknown = [op for op in operations if op not in grantable]
    if unknown:
        raise ServiceError("以下接口不存在或只允许工作人员调用：" + "、".join(unknown))
    return operations


def _check_sources(codes) -> list[str]:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    unknown = [c for c in codes if c not in SOURCES]
    if unknown:
        raise ServiceError("以下数据源不存在：" + "、".join(unknown))
    return codes


def _needs_regions(operations) -> bool:
    known = apikit.operations()
    return any(known[op].regional for op in operations if op in known)


def _check_regions(actor, codes, required: bool = True) -> list[str]:
    prefixes = []
    for code in {c.strip() for c in codes if c and c.strip()}:
        region = Region.objects.filter(code=code).first()
        if region is None or not in_scope(actor, region.code):
            raise ServiceError(f"区划代码 {code} 不存在或不在您的管辖范围内")
        prefixes.append(regions.prefix_of(region.code, region.level))
    if not prefixes and required:
        raise ServiceError("请至少填写一个允许访问的区划")
    return sorted(prefixes)


@transaction.atomic
def issue(actor, *, name: str, department: str, operations, region_codes, rate_limit: int = 60, sources=()):
    """Create a client; returns (client, token). The token is not stored and cannot be shown again.

    ``sources``: the 核对 data sources the client may send with ``upload_feed``. Regions may be left out only
    when every granted operation is region-free (``regional=False``, e.g. a feed-only department)."""
    _require(actor, API_CLIENTS_MANAGE)
    name, department = (name or "").strip(), (department or "").strip()
    if not name or not department:
        raise ServiceError("请填写客户端名称和所属部门")
    if ApiClient.objects.filter(name=name).exists():
        raise ServiceError(f"客户端名称“{name}”已存在")
    try:
        rate_limit = int(rate_limit)
    except (TypeError, ValueError) as exc:
        raise ServiceError("每分钟调用上限须为整数") from exc
    if not 1 <= rate_limit <= 6000:
        raise ServiceError("每分钟调用上限须在 1 到 6000 之间")
    operations = _check_operations(operations)
    sources = _check_sources(sources)
    if sources and FEED_OPERATION not in operations:
        raise ServiceError(f"只有获准调用 {FEED_OPERATION}（部门数据报送）的客户端才能指定数据源")
    prefix, token = new_token()
    client = ApiClient.objects.create(
        name=name, department=department, token_prefix=prefix, token_hash=token_hash(token),
        operations=operations, region_prefixes=_check_regions(actor, region_codes, _needs_regions(operations)),
        sources=sources, rate_limit_per_minute=rate_limit, created_by=getattr(actor, "username", "system"),
    )  # fmt: skip
    audit.record(
        "api.client.issue",
        client,
        after={
            "operations": client.operations, "regions": client.region_prefixes, "sources": client.sources,
            "rate": rate_limit,
        },
    )  # fmt: skip
    return client, token


@transaction.atomic
def set_active(actor, client: ApiClient, active: bool) -> ApiClient:
    _require(actor, API_CLIENTS_MANAGE)
    client.is_active = active
    client.save(update_fields=["is_active"])
    audit.record("api.client.enable" if active else "api.client.revoke", client)
    return client


@transaction.atomic
def rotate(actor, client: ApiClient) -> str:
    _require(actor, API_CLIENTS_MANAGE)
    prefix, token = new_token()
    client.token_prefix, client.token_hash = prefix, token_hash(token)
    client.save(update_fields=["token_prefix", "token_hash"])
    audit.record("api.client.rotate", client)
    return token


@transaction.atomic
def issue_feed_client(department: str, sources, *, by: str = "cli") -> tuple[ApiClient, str]:
    """A department's client for sending 核对 feeds only (``upload_feed`` on ``sources``, no region), issued on
    the server's command line (``huimin verification token``), which runs with the server's own authority as
    ``huimin verification ingest`` does. Audited like ``issue``."""
    department = (department or "").strip()
    if not department:
        raise ServiceError("请填写部门名称")
    sources = _check_sources(sources)
    if not sources:
        raise ServiceError("请至少指定一个数据源")
    base = f"{department}数据报送"[:70]
    name, n = base, 1
    while ApiClient.objects.filter(name=name).exists():
        n += 1
        name = f"{base}{n}"
    prefix, token = new_token()
    client = ApiClient.objects.create(
        name=name, department=department, token_prefix=prefix, token_hash=token_hash(token),
        operations=[FEED_OPERATION], region_prefixes=[], sources=sources, created_by=by,
    )  # fmt: skip
    audit.record("api.client.issue", client, after={"operations": client.operations, "sources": sources})
    return client, token
