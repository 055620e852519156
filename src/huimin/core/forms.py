from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from huimin.core.models import AccountChangeRequest, Region, User
from huimin.core.roles import BUSINESS_ROLES, SYSTEM_ROLES, BusinessLine, Role
from huimin.core.scope import in_scope

ISO_DATE_FORMAT = "%Y-%m-%d"


def iso_date(attrs: dict | None = None) -> forms.DateInput:
    """The one date input of every form: a type="date" input takes only YYYY-MM-DD, so a localised value
    (2026/12/06) would arrive empty. A field whose natural default is today gets ``initial=timezone.localdate``
    (the date in Beijing time, not the server's)."""
    return forms.DateInput(attrs={"type": "date", **(attrs or {})}, format=ISO_DATE_FORMAT)


ISO_DATE = iso_date()


class StyledFormMixin:
    """Bootstrap classes and an accessible name (the label) on every widget, so templates can render fields
    plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)
            # a field rendered bare (search bars) still has an accessible name; a group of choices keeps its own
            grouped = isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput))
            if field.label and not grouped and not widget.is_hidden:
                widget.attrs.setdefault("aria-label", str(field.label))


class HuiminPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class RegionField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "所属区划代码")
        kwargs.setdefault("help_text", "12 位统计用区划代码，须在您的管辖范围内")
        super().__init__(*args, max_length=12, **kwargs)


class UserCreateForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label="登录名",
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        error_messages={"invalid": "登录名只能包含字母、数字、下划线、点和短横线，3 到 30 位"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    region = RegionField()

    def __init__(self, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该登录名已被使用")
        return username

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.filter(code=code, is_active=True).first()
        if region is None or not in_scope(self.actor, code):
            raise forms.ValidationError("区划不存在或不在您的管辖范围内")
        return region


class RoleAssignForm(StyledFormMixin, forms.Form):
    """A business role on one business line; system roles go through an AccountChangeRequest."""

    role = forms.ChoiceField(
        label="角色",
        choices=[("", "（请选择角色）"), *[(v, label) for v, label in Role.choices if v in BUSINESS_ROLES]],
        error_messages={"required": "请选择角色", "invalid_choice": "角色不存在"},
    )
    line = forms.ChoiceField(
        label="业务条线",
        choices=[("", "（请选择业务条线）"), *BusinessLine.choices],
        error_messages={"required": "请选择业务条线", "invalid_choice": "业务条线不存在"},
    )


class AccountChangeRequestForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="事项", choices=AccountChangeRequest.Kind.choices, error_messages={"invalid_choice": "变更事项不存在"}
    )
    role = forms.ChoiceField(
        label="系统角色（授予时）",
        required=False,
        choices=[("", "—"), *[(v, label) for v, label in Role.choices if v in SYSTEM_ROLES]],
        error_messages={"invalid_choice": "只能授予系统角色"},
    )
    reason = forms.CharField(label="事由", max_length=200, error_messages={"required": "请填写事由"})


class AuditSearchForm(StyledFormMixin, forms.Form):
    actor = forms.CharField(label="操作人", required=False)
    action = forms.CharField(label="操作", required=False)
    object_id = forms.CharField(label="对象ID", required=False)
    region = forms.CharField(label="区划代码前缀", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=ISO_DATE)
    date_to = forms.DateField(label="截止日期", required=False, widget=ISO_DATE)
