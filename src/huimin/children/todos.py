"""儿童福利's to-dos on the 工作台 (registered in ChildrenConfig.ready): dissolved adoptions whose child is still in
the adopter's household because the household he lived in before no longer exists (the registry must place him)."""

from django.urls import reverse

from huimin.children import adoption
from huimin.core.todos import Todo


def adoption_registry_pending(actor, day):
    if not adoption.is_office(actor):  # the sealed archive: only the adoption office sees it
        return []
    count = adoption.registry_pending(actor).count()
    if not count:
        return []
    return [Todo("children", "解除收养：被收养人户籍待迁移", count, reverse("children:adoptions") + "?registry=pending",
                 overdue=count)]  # fmt: skip
