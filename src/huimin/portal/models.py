"""The resident portal's own records: phone-code challenges and the signed 核对 authorisations. Applications
themselves are huimin.assistance's."""

from django.db import models

from huimin.assistance.models import Application
from huimin.registry.models import Person


class PhoneChallenge(models.Model):
    """A code sent to a phone to verify a resident. Only digests are kept; the code expires and allows a
    limited number of attempts."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    identity_digest = models.CharField(max_length=64)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "手机验证码"

    def __str__(self):
        return f"challenge {self.pk}"


class VerificationConsent(models.Model):
    """An adult household member's authorisation of the 家庭经济状况核对, signed on the portal."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField("签署人姓名", max_length=50)
    statement = models.TextField("授权声明")
    signed_at = models.DateTimeField("签署时间", auto_now_add=True)
    channel = models.CharField("签署方式", max_length=20, default="online")
    submitted_by = models.CharField("提交人（经手机验证的申请人）", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "核对授权（网上签署）"
        ordering = ["signed_at", "id"]

    def __str__(self):
        return f"{self.signer_name} {self.signed_at:%Y-%m-%d %H:%M}"
