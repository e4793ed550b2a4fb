"""Draw the app icon and write resources/icons/outreach.{png,ico,icns}.

Run it after changing the drawing (`.venv/bin/python installer/make_icons.py`) and
commit the three files: builds use the committed files, so a build machine needs
neither a display nor this script. Qt draws (offscreen, antialiased); Pillow, which
ReportLab already depends on, writes the multi-size .ico and .icns containers
that Qt cannot write everywhere.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
MASTER = 1024
ICO_SIZES = [16, 20, 24, 32, 40, 48, 64, 128, 256]
ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024]


def draw(size: int = MASTER):
    """A teal rounded square with a white speech bubble holding a clinic cross:
    a clinician's voice in an online conversation."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPainterPath

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 1024  # the drawing is laid out on a 1024 grid

    # Background: macOS-style margins so the icon sits well beside others.
    back = QRectF(64 * s, 64 * s, 896 * s, 896 * s)
    gradient = QLinearGradient(back.topLeft(), back.bottomRight())
    gradient.setColorAt(0.0, QColor("#1fa39a"))
    gradient.setColorAt(1.0, QColor("#0b5f73"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(gradient)
    p.drawRoundedRect(back, 200 * s, 200 * s)

    # Speech bubble with a tail at the lower left.
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(196 * s, 236 * s, 632 * s, 460 * s), 150 * s, 150 * s)
    tail = QPainterPath()
    tail.moveTo(QPointF(300 * s, 640 * s))
    tail.lineTo(QPointF(250 * s, 820 * s))
    tail.lineTo(QPointF(460 * s, 680 * s))
    tail.closeSubpath()
    p.setBrush(QColor("#ffffff"))
    p.drawPath(bubble.united(tail))

    # The cross, in the background's darker colour.
    p.setBrush(QColor("#0e7a83"))
    arm, reach, cx, cy = 92 * s, 300 * s, 512 * s, 466 * s
    p.drawRoundedRect(QRectF(cx - arm / 2, cy - reach / 2, arm, reach), 22 * s, 22 * s)
    p.drawRoundedRect(QRectF(cx - reach / 2, cy - arm / 2, reach, arm), 22 * s, 22 * s)
    p.end()
    return image


def _to_pillow(image):
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")


def main() -> int:
    # No display needed: this runs on build machines and in CI too.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts, plugins)
    OUT.mkdir(parents=True, exist_ok=True)
    master = _to_pillow(draw())
    # 256 px is what the app and Linux desktops use; the containers get every size.
    master.resize((256, 256), resample=3).save(OUT / "outreach.png", optimize=True)
    master.save(OUT / "outreach.ico", sizes=[(n, n) for n in ICO_SIZES])
    master.save(OUT / "outreach.icns", sizes=[(n, n) for n in ICNS_SIZES])
    for name in ("outreach.png", "outreach.ico", "outreach.icns"):
        print(f"wrote {OUT / name} ({(OUT / name).stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
