"""How a contact appears in what leaves the app anonymised: by the handle they
chose in a community, or by initials; never by name, email or phone."""

from __future__ import annotations


def initials(name: str) -> str:
    """'Jane van der Berg' -> 'J.v.d.B.'; empty for an empty name."""
    return "".join(f"{word[0]}." for word in name.split() if word[:1].isalpha())


def contact_label(contact_id: int, handle: str, name: str) -> str:
    """A handle as it stands (it is already a public pseudonym), else initials,
    else the record number: enough to tell rows apart, not to find the person."""
    handle = (handle or "").strip()
    if handle:
        return handle
    return initials(name or "") or f"Contact #{contact_id}"
