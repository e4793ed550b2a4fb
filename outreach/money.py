"""Money is integer cents everywhere; these turn what people type into cents and back."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def parse_cents(text: str | int | float | Decimal) -> int:
    """'150', '150.5', '1,250.00', '$150' -> cents. Raises ValueError with a reason."""
    raw = str(text).strip().replace(",", "").replace(" ", "")
    for symbol in set(CURRENCY_SYMBOLS.values()):
        raw = raw.replace(symbol, "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount; write it like 150.00") from None
    if not amount.is_finite():
        raise ValueError(f"'{text}' is not an amount; write it like 150.00")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"'{text}' has more than two decimal places")
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_cents(cents: int | None, currency: str = "") -> str:
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    text = f"{sign}{symbol}{whole:,}.{frac:02d}"
    if currency and not symbol:
        text = f"{text} {currency}"
    return text


def plain_cents(cents: int | None) -> str:
    """Cents as a plain decimal for files and settings (no symbol, no grouping)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
