"""How the app is listed on Slack and Teams: who publishes it and where its privacy statement and terms are.

Both manifests take one `Listing`. By default the coach itself serves the pages (`/privacy`, `/terms`,
adapters/web/legal.py); an organisation with its own pages points `coach manifest` at them instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import check_public_url

EXAMPLE_URL = "https://coach.example.com"  # the host in the manifests committed under manifest/
DEVELOPER = "Adoption Coach"
PRIVACY_PATH = "/privacy"
TERMS_PATH = "/terms"


@dataclass(frozen=True)
class Listing:
    base_url: str  # the coach's public https address, no trailing slash
    developer_name: str = DEVELOPER
    website: str = ""
    privacy_url: str = ""
    terms_url: str = ""

    @property
    def hostname(self) -> str:
        return urlsplit(self.base_url).hostname or ""


def listing(
    *,
    url: str,
    developer_name: str | None = None,
    website: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> Listing:
    """A checked listing; raises ValueError naming the option that is wrong."""
    base = _https("--url", url)
    return Listing(
        base_url=base,
        developer_name=(developer_name or DEVELOPER).strip() or DEVELOPER,
        website=_https("--website", website) if website else base + "/",
        privacy_url=_https("--privacy-url", privacy_url) if privacy_url else base + PRIVACY_PATH,
        terms_url=_https("--terms-url", terms_url) if terms_url else base + TERMS_PATH,
    )


def _https(option: str, value: str) -> str:
    try:
        checked = check_public_url(value)
    except ValueError as exc:
        raise ValueError(f"{option} {exc}") from None
    if urlsplit(checked).scheme != "https":
        raise ValueError(f"{option} must use https: Slack and Teams call only https addresses")
    return checked
