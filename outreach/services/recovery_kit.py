"""The recovery kit: one printable page with an encrypted database's recovery key,
what it is, where to keep it and how to use it.

It is the one place the key is ever written down, and only because the user asks
for it: the file is meant to be printed and deleted (the app says so).
"""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from ..timeutil import now_utc
from . import pdf_kit
from .pdf_kit import esc

# The key is ASCII (A-Z, 2-7 and dashes): a fixed-width face keeps the groups in
# columns and tells 5 from S at a glance.
KEY_FONT = "Courier-Bold"
KEY_SIZE = 17
GROUPS_PER_LINE = 7


def _key_table(recovery_key: str) -> Table:
    groups = recovery_key.split("-")
    rows = [groups[i : i + GROUPS_PER_LINE] for i in range(0, len(groups), GROUPS_PER_LINE)]
    table = Table(rows, hAlign="CENTER", colWidths=[62] * GROUPS_PER_LINE)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), KEY_FONT, KEY_SIZE),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("BOX", (0, 0), (-1, -1), 1.2, pdf_kit.INK),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f5f7fa")),
            ]
        )
    )
    return table


def write_recovery_kit(
    path,
    recovery_key: str,
    database: str,
    *,
    made_on: date | None = None,
    deterministic: bool = False,
) -> int:
    """Write the kit to ``path``; returns the number of pages (1)."""
    made_on = made_on or now_utc().date()
    st = pdf_kit.styles()
    body, h2 = st["body"], st["h2"]

    def bullets(*items: str) -> list:
        return [Paragraph(item, st["bullet"], bulletText="•") for item in items]

    story: list = [
        Paragraph("Outreach recovery kit", st["title"]),
        Paragraph(
            f"<b>Database:</b> {esc(database)}<br/><b>Made on:</b> {made_on.isoformat()}",
            body,
        ),
        Spacer(1, 8),
        Paragraph("What this is", h2),
        Paragraph(
            "Your Outreach database is encrypted: on disk, and in every backup, it cannot be "
            "read without its key, so a lost or stolen computer does not expose your "
            "patients' details. The key is kept in this computer's keychain, so you never "
            "type it. This page is the only other copy. <b>Without it, a new computer, a "
            "restored backup or a reset keychain cannot open your data, and nobody, not "
            "even Outreach's makers, can get it back.</b>",
            body,
        ),
        Spacer(1, 8),
        Paragraph("Your recovery key", h2),
        Spacer(1, 4),
        _key_table(recovery_key),
        Spacer(1, 4),
        Paragraph(
            "Letters and digits only (there is no 0, 1 or 8); upper or lower case and the "
            "dashes do not matter.",
            st["note"],
        ),
        Spacer(1, 8),
        Paragraph("Where to keep it", h2),
        *bullets(
            "Print this page and keep it somewhere safe <b>away from the computer</b>: a "
            "locked drawer or safe at the practice, or with your important papers at home.",
            "Or keep the key in a password manager that is not on this computer alone.",
            "Do not email it, do not keep it in the same folder or bag as the computer or "
            "your backups, and delete this PDF once it is printed.",
            "Anyone who has both this key and a copy of the database can read it: guard it "
            "like the keys to your patient files.",
        ),
        Spacer(1, 8),
        Paragraph("How to use it", h2),
        *bullets(
            "When Outreach says the database's key is not in this computer's keychain (a "
            "new computer, a restored backup, a reset keychain), it asks for the recovery "
            "key: type it as printed above. Outreach then keeps it in the keychain again.",
            "On the command line, save the key in a file only you can read and add "
            "<font face='Courier'>--key-file FILE</font> to the command, e.g. "
            "<font face='Courier'>outreach --key-file key.txt db check</font>.",
            "If you change the key (Settings, Privacy), print the new kit. Keep this one "
            "while backups taken before the change exist: they open only with this key.",
        ),
    ]
    return pdf_kit.build_document(
        path,
        story,
        title="Outreach recovery kit",
        author="Outreach",
        subject="The recovery key of an encrypted Outreach database",
        header_text="Outreach recovery kit · keep it safe, away from the computer",
        footer_text=f"Made on {made_on.isoformat()}",
        deterministic=deterministic,
    )
