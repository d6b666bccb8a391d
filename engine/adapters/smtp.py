"""The SMTP notifier (PROBIDAD_SMTP_URL): smtp://host:port, smtps://host:port, or
smtp+starttls://user:password@host:port. Messages carry no case content (engine.services.notify)."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from engine.errors import ConfigurationError

SCHEMES = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


class SmtpNotifier:
    """Sends one plain-text e-mail per call through an SMTP server."""

    def __init__(self, url: str, sender: str, timeout: float = 10.0):
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ConfigurationError("PROBIDAD_SMTP_URL must look like smtp://host:port (or smtps://, "
                                     "smtp+starttls://)")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or SCHEMES[parts.scheme]
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        """Build the message; its Message-ID is derived from its content, so a resend is recognisable."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(usegmt=True)
        digest = hashlib.sha256("\n".join((to, subject, body)).encode()).hexdigest()[:32]
        msg["Message-ID"] = f"<{digest}@probidad>"
        msg.set_content(body)
        return msg

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one e-mail; raises OSError (smtplib errors included) on failure."""
        msg = self.message(to, subject, body)
        if self.scheme == "smtps":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(msg)
