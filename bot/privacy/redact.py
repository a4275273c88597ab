"""Hiding personal details in text before owners see it: email addresses, phone numbers, card numbers
and bank account numbers (IBAN).

Phone numbers are found by `phonenumbers` (Google's libphonenumber), which knows every country's
numbering plan, so dates, amounts and order numbers are left alone; numbers written with a `+` country
code are found whatever the region, others as numbers of `COACH_REDACT_REGION`. Card numbers are 13 to 19
digits (spaces or dashes between groups) that pass the Luhn check; IBANs pass their mod-97 check. Emails
are matched by a plain pattern: something@domain.tld.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

from bot.wording import plural

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
MARKS = {"email": "[email]", "phone": "[phone]", "card": "[card number]", "account": "[account number]"}
NAMES = {
    "email": "email address",
    "phone": "phone number",
    "card": "card number",
    "account": "account number",
}
PLURALS = {
    "email": "email addresses",
    "phone": "phone numbers",
    "card": "card numbers",
    "account": "account numbers",
}


@dataclass(frozen=True)
class Redacted:
    text: str
    hidden: dict[str, int] = field(default_factory=dict)  # kind -> how many

    @property
    def changed(self) -> bool:
        return bool(self.hidden)

    def summary(self) -> str:
        """ "2 email addresses and 1 phone number"."""
        parts = [plural(n, NAMES[kind], PLURALS[kind]) for kind, n in self.hidden.items()]
        return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def redact(text: str, *, region: str = "US") -> Redacted:
    hidden: dict[str, int] = {}

    def mark(kind: str) -> str:
        hidden[kind] = hidden.get(kind, 0) + 1
        return MARKS[kind]

    text = EMAIL.sub(lambda m: mark("email"), text)
    text = IBAN.sub(lambda m: mark("account") if _iban_ok(m.group(0)) else m.group(0), text)
    text = CARD.sub(lambda m: mark("card") if _luhn_ok(m.group(0)) else m.group(0), text)
    found = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    for start, end in reversed(found):
        text = text[:start] + mark("phone") + text[end:]
    return Redacted(text, hidden)


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def _luhn_ok(raw: str) -> bool:
    digits = _digits(raw)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _iban_ok(raw: str) -> bool:
    compact = raw.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1
