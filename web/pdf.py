"""The printable receipt (PDF) a complainant downloads for themselves."""

from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _

from web.i18n import lima_datetime


def receipt_pdf(tracking_code: str, receipt: str, filed_at: datetime) -> bytes:
    """A one-page PDF with the tracking code, the receipt and how to follow the complaint."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(_("Comprobante de denuncia"))
    pdf.setAuthor("probidad")
    width, height = A4
    y = height - 72
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(72, y, _("Comprobante de denuncia"))
    y -= 40
    rows = [
        (_("Código de seguimiento"), tracking_code),
        (_("Código de recibo (secreto)"), receipt),
        (_("Presentada el"), lima_datetime(filed_at) + " (America/Lima)"),
    ]
    for label, value in rows:
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, y, label)
        pdf.setFont("Courier-Bold", 16)
        pdf.drawString(72, y - 20, value)
        y -= 56
    pdf.setFont("Helvetica", 10)
    for line in (
        _("Guarde este documento en un lugar seguro. Quien tenga el código de recibo puede ver su denuncia."),
        _("Para seguir su denuncia, ingrese el código de recibo en la página Seguimiento."),
        _("La oficina no puede recuperar el código de recibo si lo pierde."),
    ):
        pdf.drawString(72, y, line[:110])
        y -= 16
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
