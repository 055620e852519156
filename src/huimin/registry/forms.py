"""Forms of the registry pages: they parse input; the rules live in persons.py and services.py."""

from django import forms
from django.utils import timezone

from huimin.core.forms import ISO_DATE, StyledFormMixin
from huimin.core.masking import mask
from huimin.core.models import Region
from huimin.core.scope import in_scope
from huimin.registry import codes, idnumbers, persons
from huimin.registry.search import PERSON_STATUSES, programme_choices

RELATIONS = codes.RELATION_CHOICES
MEMBER_RELATIONS = [c for c in RELATIONS if c[0] != codes.HEAD]
DATE = ISO_DATE


class VillageField(forms.CharField):
    """A 12-digit village code inside the user's scope (set ``user`` on the form)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "村（社区）区划代码")
        kwargs.setdefault("help_text", "12 位统计用区划代码")
        super().__init__(*args, max_length=12, min_length=12, **kwargs)


class RegionCleanMixin:
    region_fields = ("region",)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def _region(self, name: str, required_level: int | None = 5):
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None or not in_scope(self.user, code):
            raise forms.ValidationError("区划不存在或不在您的管辖范围内")
        if required_level and region.level != required_level:
            raise forms.ValidationError("请填写村（社区）级区划代码")
        return region

    def clean_region(self):
        return self._region("region")


def _offer_programmes(form) -> None:
    """The programme filter exists only when some business app enrols households."""
    choices = programme_choices()
    if len(choices) > 1:
        form.fields["programme"].choices = [("", "全部救助项目"), *choices[1:]]
    else:
        del form.fields["programme"]


class PersonSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label="查询",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音首字母、身份证号或其后6位"}),
    )
    region = forms.CharField(
        label="区划代码", required=False, max_length=12, widget=forms.TextInput(attrs={"placeholder": "区划代码"})
    )
    status = forms.ChoiceField(label="状态", required=False, choices=list(PERSON_STATUSES.items()))
    programme = forms.ChoiceField(label="救助项目", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_programmes(self)


class HouseholdSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label="查询",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "户编号、成员姓名、拼音首字母、身份证号或其后6位"}),
    )
    region = forms.CharField(
        label="区划代码", required=False, max_length=12, widget=forms.TextInput(attrs={"placeholder": "区划代码"})
    )
    active = forms.ChoiceField(label="状态", required=False, choices=[("1", "在册"), ("0", "已注销"), ("all", "全部")])
    programme = forms.ChoiceField(label="救助项目", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_programmes(self)


class PersonForm(StyledFormMixin, forms.Form):
    """A person's own facts (used to register, to record a birth or a move-in, and to edit)."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    no_id_reason = forms.CharField(label="无身份证号原因", max_length=100, required=False, help_text="无身份证号时必填")
    sex = forms.ChoiceField(
        label="性别", choices=codes.Sex.choices, initial=codes.Sex.UNKNOWN, help_text="有身份证号时自动识别"
    )
    birth_date = forms.DateField(label="出生日期", required=False, widget=DATE, help_text="有身份证号时自动识别")
    ethnicity = forms.ChoiceField(label="民族", choices=codes.ETHNICITY_CHOICES, initial="01")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    marital_status = forms.ChoiceField(label="婚姻状况", choices=codes.MaritalStatus.choices, initial="90")
    education = forms.ChoiceField(label="文化程度", choices=[("", "—")] + codes.Education.choices, required=False)
    labour_ability = forms.ChoiceField(label="劳动能力", choices=codes.LabourAbility.choices)
    health = forms.ChoiceField(label="健康状况", choices=codes.Health.choices)
    serious_illness = forms.CharField(label="重病诊断", max_length=200, required=False)
    disability_category = forms.ChoiceField(
        label="残疾类别", choices=[("", "—")] + codes.DisabilityCategory.choices, required=False
    )
    disability_grade = forms.TypedChoiceField(
        label="残疾等级", choices=[("", "—")] + [(i, f"{i}级") for i in range(1, 5)], coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    disability_cert_no = forms.CharField(label="残疾人证号", max_length=30, required=False)
    special_statuses = forms.MultipleChoiceField(
        label="特殊身份",
        choices=list(codes.SPECIAL_STATUSES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bank_name = forms.CharField(label="开户银行", max_length=100, required=False)
    bank_account = forms.CharField(label="银行账号", max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["special_statuses"].widget.attrs["class"] = "form-check-input"

    def clean_id_number(self):
        """A malformed number is reported under the ID field of the person it belongs to."""
        value = self.cleaned_data["id_number"].strip()
        if value:
            try:
                idnumbers.parse(value)
            except idnumbers.IdNumberError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value

    def person_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("sex") == codes.Sex.UNKNOWN and data.get("id_number"):
            data.pop("sex")
        return {k: v for k, v in data.items() if k in PersonForm.base_fields}


class PersonEditForm(RegionCleanMixin, PersonForm):
    """Protected values (persons.PROTECTED) are never put into the form: it shows them masked, and a value typed
    in replaces the stored one (blank = unchanged). Seeing a full value stays the audited 查看 of the person page."""

    region = VillageField(label="居住地区划代码")
    has_residence_permit = forms.BooleanField(label="持居住证", required=False)
    urban_rural_overridden = forms.BooleanField(label="城乡属性人工认定", required=False)
    is_urban = forms.BooleanField(label="城镇居民（仅人工认定时有效）", required=False)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in persons.PROTECTED:
            field = self.fields[name]
            current = getattr(person, name, "") if person is not None else ""
            field.initial = ""
            field.widget.attrs.update(autocomplete="off", placeholder="留空表示不变")
            field.help_text = f"现为 {mask(name, current)}；如需更改请填写新值，留空表示不变" if current else "未登记"

    def person_data(self) -> dict:
        data = super().person_data()
        for name in ("region", "has_residence_permit", "urban_rural_overridden", "is_urban"):
            data[name] = self.cleaned_data[name]
        for name in persons.PROTECTED:
            if not data.get(name):
                data.pop(name, None)
        return data


class MemberForm(PersonForm):
    relation = forms.ChoiceField(label="与户主关系", choices=RELATIONS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A select always posts a value: make its first choice the initial one, so a card left untouched is
        # unchanged (and, beyond the first card, ignored) rather than validated as a half-filled person.
        for field in self.fields.values():
            single = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField)
            if single and field.initial is None and field.choices:
                field.initial = field.choices[0][0]


class HouseholdForm(RegionCleanMixin, StyledFormMixin, forms.Form):
    region = VillageField()
    number = forms.CharField(label="户编号", max_length=32, required=False, help_text="不填则自动编号")
    address = forms.CharField(label="住址", max_length=200, required=False)
    household_type = forms.ChoiceField(label="户类型", choices=codes.HouseholdType.choices)
    on = forms.DateField(label="登记日期", initial=timezone.localdate, widget=DATE)


# One card to start with (the head, always validated); the 添加成员 button adds cards from the formset's empty form.
MemberFormSet = forms.formset_factory(MemberForm, extra=0, min_num=1, validate_min=True, max_num=20, validate_max=True)


class EventDateForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="发生日期", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天")
        return on


class BirthForm(EventDateForm, PersonForm):
    relation = forms.ChoiceField(label="与户主关系", choices=MEMBER_RELATIONS)


class MoveInForm(EventDateForm):
    id_number = forms.CharField(label="已登记人员的身份证号", max_length=18, required=False,
                                help_text="迁入已登记的人员时填写；迁入新人员请改用下方新人员登记")  # fmt: skip
    relation = forms.ChoiceField(label="与户主关系", choices=MEMBER_RELATIONS)


class NewMemberForm(EventDateForm, PersonForm):
    relation = forms.ChoiceField(label="与户主关系", choices=MEMBER_RELATIONS)


class MoveOutForm(EventDateForm):
    destination = forms.CharField(label="迁往", max_length=200, required=False)


class HeadChangeForm(EventDateForm):
    new_head = forms.TypedChoiceField(label="新户主", coerce=int)
    old_head_relation = forms.ChoiceField(
        label="原户主与新户主的关系", choices=[("", "—")] + MEMBER_RELATIONS, required=False
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].choices = [(p.pk, p.name) for p in members]


class SplitForm(EventDateForm):
    number = forms.CharField(label="新户编号", max_length=32, required=False, help_text="不填则自动编号")
    address = forms.CharField(label="新户住址", max_length=200, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for person in self.members:
            self.fields[f"rel_{person.pk}"] = forms.ChoiceField(
                label=f"{person.name} 在新户中的关系", choices=[("", "不分出")] + RELATIONS, required=False
            )
            self.fields[f"rel_{person.pk}"].widget.attrs["class"] = "form-select"

    def split_members(self) -> dict:
        return {p.pk: self.cleaned_data[f"rel_{p.pk}"] for p in self.members if self.cleaned_data.get(f"rel_{p.pk}")}


class MergeForm(EventDateForm):
    other_number = forms.CharField(label="并入本户的家庭户编号", max_length=32)
    relation = forms.ChoiceField(label="并入成员与本户户主的关系", choices=MEMBER_RELATIONS,
                                 help_text="所有并入成员使用同一关系；关系不同时请逐人办理迁入")  # fmt: skip


class CloseForm(EventDateForm):
    reason = forms.CharField(label="注销原因", max_length=200)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")
