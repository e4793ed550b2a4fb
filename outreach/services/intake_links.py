"""Tracked intake links: a readable code per community and the practice's intake
form URL tagged with it, so completed forms say where they came from."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlalchemy import func, select

from ..errors import ValidationError
from ..models import Community

CODE_STEM_LENGTH = 10


def slug(text: str) -> str:
    """Lower case with underscores: 'r/Sleep Train' -> 'r_sleep_train'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def suggest_code(session, name: str, year: int | None = None, exclude_id: int | None = None) -> str:
    """RSLEEP24 for r/sleep in 2024: the name's letters and digits, then the year;
    a number is added when that code is taken."""
    stem = re.sub(r"[^A-Z0-9]", "", name.upper())[:CODE_STEM_LENGTH] or "COMMUNITY"
    base = f"{stem}{(year or date.today().year) % 100:02d}"
    taken = select(func.upper(Community.intake_code))
    if exclude_id is not None:
        taken = taken.where(Community.id != exclude_id)
    used = {code for code in session.scalars(taken) if code}
    code, counter = base, 2
    while code in used:
        code = f"{base}-{counter}"
        counter += 1
    return code


def intake_url(form_url: str, community_name: str, code: str) -> str:
    """The practice's intake form with utm_source, utm_medium=community and utm_campaign."""
    if not form_url:
        raise ValidationError(
            {"intake_form_url": "is not set; add your intake form's address under Settings first."}
        )
    parts = urlsplit(form_url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    query += [
        ("utm_source", slug(community_name)),
        ("utm_medium", "community"),
        ("utm_campaign", slug(code)),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def mailto(to: str, subject: str, body: str) -> str:
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def intake_email(to: str, practitioner: str, link: str) -> str:
    who = practitioner or "your clinician"
    body = (
        f"Hello,\n\nThank you for getting in touch. Before we talk, please fill in this short "
        f"intake form:\n\n{link}\n\nIt also asks how you found me online, which helps me be "
        f"more useful there.\n\nBest wishes,\n{who}"
    )
    return mailto(to, "Your intake form", body)


def community_link(store, community_id: int) -> str:
    """The tracked intake URL for one community."""
    from .communities import get_community
    from .profile import get_profile

    community = get_community(store, community_id)
    return intake_url(get_profile(store).intake_form_url, community.name, community.intake_code)


def contact_email(store, contact_id: int) -> str:
    """A mailto: with the intake link tagged for the contact's community."""
    from .contacts import get_contact
    from .profile import get_profile

    contact = get_contact(store, contact_id)
    if not contact.email:
        raise ValidationError({"email": "this contact has no email address; add one first."})
    profile = get_profile(store)
    community_id = contact.attributed_community_id or contact.first_community_id
    if community_id is None:
        if not profile.intake_form_url:
            intake_url("", "", "")  # raises the sentence about Settings
        link = profile.intake_form_url
    else:
        link = community_link(store, community_id)
    return intake_email(contact.email, profile.practitioner_name, link)
