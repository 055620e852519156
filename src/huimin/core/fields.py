"""ProtectedField: a model field for ID numbers, phone numbers and bank accounts.

The column holds only ciphertext (see huimin.core.crypto). With ``blind_index=True`` the model declares a
sibling ``<name>_bidx = BlindIndexField()`` holding the keyed index, kept in step on every save, for exact
search:

    Person.objects.filter(**Person.lookup("id_number", "410102199001011234"))

With ``suffix_index=6`` it also keeps ``<name>_sfx = SuffixIndexField()``, the keyed index of the last six
characters, for the search by the digits read out over the phone (``Model.suffix_lookup``); never a plaintext
column.
"""

from django.core.exceptions import FieldError
from django.db import models

from huimin.core import crypto

KINDS = ("id_number", "phone", "bank_account", "disability_cert_no")


class ProtectedField(models.TextField):
    description = "加密保存的个人敏感信息"

    def __init__(self, *args, kind: str, blind_index: bool = True, suffix_index: int = 0, **kwargs):
        if kind not in KINDS:
            raise ValueError(f"unknown protected kind {kind}")
        self.kind = kind
        self.blind_index = blind_index
        self.suffix_index = suffix_index
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        kwargs["blind_index"] = self.blind_index
        if self.suffix_index:
            kwargs["suffix_index"] = self.suffix_index
        return name, path, args, kwargs

    @property
    def index_attname(self) -> str:
        return f"{self.name}_bidx"

    @property
    def suffix_attname(self) -> str:
        return f"{self.name}_sfx"

    def suffix_of(self, value: str) -> str:
        return crypto.suffix_index(self.kind, value, self.suffix_index) if value else ""

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.blind_index and not any(f.name == self.index_attname for f in self.model._meta.local_fields):
            from django.core import checks

            errors.append(checks.Error(f"{self.name} 需要同一模型声明 {self.index_attname} = BlindIndexField()"))
        if self.suffix_index and not any(f.name == self.suffix_attname for f in self.model._meta.local_fields):
            from django.core import checks

            errors.append(checks.Error(f"{self.name} 需要同一模型声明 {self.suffix_attname} = SuffixIndexField()"))
        return errors

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname) or ""
        if self.blind_index:
            setattr(model_instance, self.index_attname, crypto.blind_index(self.kind, value) if value else "")
        if self.suffix_index:
            setattr(model_instance, self.suffix_attname, self.suffix_of(value))
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(crypto.normalize(self.kind, value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"加密字段 {self.name} 不能直接查询：请用盲索引 {self.name}_bidx（Model.lookup）")


class _KeyedIndexField(models.CharField):
    """A 64-character keyed index kept by its ProtectedField: not editable, indexed, empty until set."""

    def __init__(self, *args, **kwargs):
        kwargs.update(max_length=64, blank=True, default="", db_index=True, editable=False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "blank", "default", "db_index", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs


class BlindIndexField(_KeyedIndexField):
    """The keyed index of a ProtectedField, maintained by that field; declare it as ``<name>_bidx``."""


class SuffixIndexField(_KeyedIndexField):
    """The keyed index of a ProtectedField's last characters, maintained by that field; declare it as
    ``<name>_sfx`` beside ``ProtectedField(..., suffix_index=N)``."""


class ProtectedLookupMixin:
    """Adds ``Model.lookup(field, value)`` returning the filter kwargs for an exact search."""

    @classmethod
    def lookup(cls, field_name: str, value: str) -> dict[str, str]:
        field = cls._meta.get_field(field_name)
        return {field.index_attname: crypto.blind_index(field.kind, value)}

    @classmethod
    def suffix_lookup(cls, field_name: str, suffix: str) -> dict[str, str]:
        """Filter kwargs finding the holders whose value ends with ``suffix`` (as long as the field's suffix_index)."""
        field = cls._meta.get_field(field_name)
        return {field.suffix_attname: field.suffix_of(suffix)}


def protected_fields(model) -> list[ProtectedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, ProtectedField)]
