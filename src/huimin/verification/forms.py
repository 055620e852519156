from django import forms
from django.conf import settings
from django.utils import timezone

from huimin.core.forms import iso_date
from huimin.verification import programmes
from huimin.verification.models import SOURCE_CHOICES, Threshold

DATE_WIDGET = iso_date({"class": "form-control form-control-sm"})
SM = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class UploadForm(forms.Form):
    source = forms.ChoiceField(label="数据源", choices=SOURCE_CHOICES, widget=forms.Select(attrs=SELECT))
    as_of = forms.DateField(label="数据日期", widget=DATE_WIDGET)
    file = forms.FileField(label="文件（CSV、.xlsx 或 Parquet）", widget=forms.ClearableFileInput(attrs=SM))
    valid_only = forms.BooleanField(label="仅导入有效行（默认：有任何错误行则整个文件拒收）", required=False)
    by_county = forms.BooleanField(
        label="按县（区）分区保存（省级规模：按县批量复核只读本县的数据）", required=False,
        initial=lambda: settings.HUIMIN_SNAPSHOTS_BY_COUNTY,
    )  # fmt: skip


class AuthorisationForm(forms.Form):
    """A person's 授权书, entered once: its scan uploaded here or taken from an application's documents."""

    person = forms.TypedChoiceField(label="成员", coerce=int, widget=forms.Select(attrs=SELECT))
    signed_on = forms.DateField(label="签署日期", widget=DATE_WIDGET)
    valid_until = forms.DateField(label="有效期至（空为撤回前长期有效）", required=False, widget=DATE_WIDGET)
    document = forms.ChoiceField(label="扫描件取自申请材料", required=False, widget=forms.Select(attrs=SELECT))
    scan = forms.FileField(label="或上传授权书扫描件", required=False, widget=forms.ClearableFileInput(attrs=SM))

    def __init__(self, *args, members=(), documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in members]
        self.fields["document"].choices = [("", "（不使用，上传扫描件）")] + [(str(d.id), d.label) for d in documents]
        if not documents:
            del self.fields["document"]
            self.fields["scan"].label = "授权书扫描件"


def _programme_select(form) -> None:
    """救助项目 is chosen by its Chinese name from the installed programmes (a code field only without any)."""
    choices = programmes.choices()
    if choices:
        field = form.fields["programme"]
        form.fields["programme"] = forms.ChoiceField(
            label=field.label, choices=choices, initial=field.initial, widget=forms.Select(attrs=SELECT)
        )


class CheckForm(forms.Form):
    programme = forms.CharField(label="救助项目", max_length=40, widget=forms.TextInput(attrs=SM))
    as_of = forms.DateField(label="核对基准日", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"programme": "dibao", "as_of": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _programme_select(self)


class AssistForm(CheckForm):
    target = forms.CharField(label="协查对象（城市或省份）", max_length=100, widget=forms.TextInput(attrs=SM))


class AssistAnswerForm(forms.Form):
    source = forms.ChoiceField(label="数据源", choices=SOURCE_CHOICES, widget=forms.Select(attrs=SELECT))
    as_of = forms.DateField(label="数据日期", initial=timezone.localdate, widget=DATE_WIDGET)
    file = forms.FileField(label="回复文件", widget=forms.ClearableFileInput(attrs=SM))


class BatchForm(forms.Form):
    programme = forms.CharField(label="救助项目", max_length=40, initial="dibao", widget=forms.TextInput(attrs=SM))
    as_of = forms.DateField(label="核对基准日", widget=DATE_WIDGET)
    region_prefix = forms.CharField(
        label="范围（区划代码前缀，空为本人管辖范围）", max_length=12, required=False, widget=forms.TextInput(attrs=SM)
    )
    enrolled_only = forms.BooleanField(
        label="仅复核该项目的在保家庭（定期核对）", required=False, initial=True, widget=forms.CheckboxInput()
    )
    backend = forms.ChoiceField(
        label="计算引擎",
        choices=[("duckdb", "DuckDB（单机）"), ("pyspark", "Spark")],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _programme_select(self)


class CountyBatchForm(forms.Form):
    """按县复核 over the application's own data: every household of the region, county by county."""

    programme = forms.CharField(label="救助项目", max_length=40, initial="dibao", widget=forms.TextInput(attrs=SM))
    as_of = forms.DateField(label="核对基准日", widget=DATE_WIDGET)
    region_prefix = forms.CharField(
        label="范围（区划代码前缀，空为本人管辖范围）", max_length=12, required=False, widget=forms.TextInput(attrs=SM)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _programme_select(self)
        for name, field in self.fields.items():
            field.widget.attrs["id"] = f"county_{name}"


class ThresholdForm(forms.ModelForm):
    region_code = forms.CharField(
        label="适用区划代码（本人管辖范围内，如 411702）", max_length=12, widget=forms.TextInput(attrs=SM)
    )

    class Meta:
        model = Threshold
        fields = [
            "programme",
            "rule",
            "region_code",
            "urban_rural",
            "value",
            "outcome",
            "valid_from",
            "valid_to",
            "note",
        ]
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _programme_select(self)
        for name, field in self.fields.items():
            if name not in ("valid_from", "valid_to"):
                field.widget.attrs.update(SELECT if isinstance(field.widget, forms.Select) else SM)
