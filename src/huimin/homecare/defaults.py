"""The defaults of 居家社区养老服务 (loaded by the data migration and the demo): the catalogue, city-wide
settings and prices. Every figure is a default a city replaces on 「服务项目与价格」; the sources say so."""

import datetime
from decimal import Decimal

SINCE = datetime.date(2020, 1, 1)

ITEMS = [
    # code, name, unit, max minutes, description, default price
    ("meal", "助餐", "visit", 120, "配餐、送餐上门或助餐点就餐", "12.00"),
    ("bath", "助浴", "visit", 180, "上门助浴或助浴点助浴", "60.00"),
    ("clean", "助洁", "hour", 240, "居室清洁、衣物清洗", "35.00"),
    ("emergency", "助急", "visit", 240, "紧急呼叫响应、上门救助", "50.00"),
    ("walk", "助行", "hour", 240, "陪同出行、代办", "30.00"),
    ("medical", "助医", "hour", 300, "陪同就医、健康监测、康复护理", "45.00"),
]

SETTINGS = [
    ("followup_percent", "5", "默认值：每月随机抽取 5% 已确认服务记录电话回访（各地按本地规定设置）"),
    ("escalate_minutes", "15", "默认值：告警派发后 15 分钟无人响应即升级至下一级值班人"),
    ("midnight_grace", "60", "默认值：服务可跨零点 60 分钟，超出即视为异常记录"),
    ("elderly_age", "60", "《老年人权益保障法》：老年人是指六十周岁以上的公民"),
]

PRICE_SOURCE = "默认单价：示例价格，须由市、县民政部门按本地政府购买服务价格设置"


def load(setting_model=None, item_model=None, price_model=None) -> None:
    if setting_model is None:
        from huimin.homecare.models import Price, ServiceItem, Setting

        setting_model, item_model, price_model = Setting, ServiceItem, Price
    for key, value, source in SETTINGS:
        setting_model.objects.get_or_create(key=key, region=None, effective_from=SINCE,
                                            defaults={"value": Decimal(value), "source": source})  # fmt: skip
    for order, (code, name, unit, max_minutes, description, price) in enumerate(ITEMS):
        fields = {"name": name, "unit": unit, "max_minutes": max_minutes, "description": description, "order": order}
        item, _ = item_model.objects.get_or_create(code=code, defaults=fields)
        price_model.objects.get_or_create(item=item, region=None, effective_from=SINCE,
                                          defaults={"unit_price": Decimal(price), "source": PRICE_SOURCE})  # fmt: skip


def ensure() -> None:
    from huimin.homecare.models import ServiceItem

    if not ServiceItem.objects.exists():
        load()
