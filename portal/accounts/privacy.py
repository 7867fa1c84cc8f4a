"""Residents' phone numbers are shown masked (138****5678) except where staff must call them:
the staff handling a resident's submission or message while it is open (docs/accounts.md)."""


def mask_phone(value) -> str:
    """'13812345678' → '138****5678'. The first three and last four characters stay, every digit
    between them becomes '*' (separators are kept); a number of fewer than eight characters keeps
    only its last two digits. Empty stays empty."""
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) < 8:
        return "".join("*" if ch.isdigit() else ch for ch in text[:-2]) + text[-2:]
    middle = "".join("*" if ch.isdigit() else ch for ch in text[3:-4])
    return text[:3] + middle + text[-4:]
