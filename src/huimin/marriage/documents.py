"""The 电子证照 (a PDF with a QR code of the public verification page) and the written 不予登记告知书 (WeasyPrint;
the Noto CJK fonts come from Debian's fonts-noto-cjk). The QR code is drawn by segno as inline SVG: nothing is
fetched from a CDN."""

import base64
import io

from django.template.loader import render_to_string
from django.utils import timezone


def qr_data_uri(text: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string(template, {**context, "printed_at": timezone.localtime()})).write_pdf()


def certificate_pdf(record, verify_url: str) -> bytes:
    title = "结婚证" if record.kind == "marriage" else "离婚证"
    return _pdf(
        "marriage/pdf/certificate.html",
        {"record": record, "title": title, "verify_url": verify_url, "qr": qr_data_uri(verify_url)},
    )


def refusal_pdf(refusal) -> bytes:
    return _pdf("marriage/pdf/refusal.html", {"refusal": refusal, "title": "不予办理婚姻登记告知书"})
