"""Draw the app icon from its SVG source with Pillow (no SVG library, no cairo).

    python packaging/icons.py OUT_DIR     # icon-16.png ... icon-1024.png, icon.ico, icon.icns in OUT_DIR
    python packaging/icons.py --window    # refresh deepseek_desktop/resources/icon.png (the window's icon)

The SVG holds only what this file can draw (rect with rx, circle, polygon; solid fills), so the SVG
stays the one source: change it, run this, and every size follows.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "deepseek_desktop" / "resources" / "icon.svg"
WINDOW_PNG = ROOT / "deepseek_desktop" / "resources" / "icon.png"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SUPERSAMPLE = 4
_NS = "{http://www.w3.org/2000/svg}"


def parse_svg(path: Path = SVG) -> tuple[float, list[tuple[str, dict[str, str]]]]:
    """The view box width and the shapes in drawing order. Anything else in the file is an error."""
    root = ET.parse(path).getroot()
    box = [float(v) for v in root.get("viewBox", "0 0 512 512").split()]
    if box[0] or box[1] or box[2] != box[3]:
        raise ValueError("the icon's viewBox must be a square starting at 0 0")
    shapes = []
    for el in root:
        if not isinstance(el.tag, str):  # comments
            continue
        tag = el.tag.removeprefix(_NS)
        if tag not in ("rect", "circle", "polygon"):
            raise ValueError(f"icons.py cannot draw <{tag}>")
        shapes.append((tag, dict(el.attrib)))
    return box[2], shapes


def render(size: int, path: Path = SVG):
    from PIL import Image, ImageDraw

    width, shapes = parse_svg(path)
    big = size * SUPERSAMPLE
    k = big / width
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    for tag, a in shapes:
        fill = a["fill"]
        if tag == "rect":
            x, y, w, h = (float(a[n]) * k for n in ("x", "y", "width", "height"))
            draw.rounded_rectangle((x, y, x + w, y + h), radius=float(a.get("rx", 0)) * k, fill=fill)
        elif tag == "circle":
            cx, cy, r = (float(a[n]) * k for n in ("cx", "cy", "r"))
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        else:
            nums = [float(v) * k for v in a["points"].replace(",", " ").split()]
            draw.polygon(list(zip(nums[::2], nums[1::2], strict=True)), fill=fill)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def write_all(out: Path) -> dict[str, Path]:
    """Every PNG size, the Windows .ico and the macOS .icns."""
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    images = {}
    for size in PNG_SIZES:
        images[size] = render(size)
        made[f"{size}"] = out / f"icon-{size}.png"
        images[size].save(made[f"{size}"])
    made["ico"] = out / "icon.ico"
    images[256].save(made["ico"], sizes=[(s, s) for s in ICO_SIZES])
    made["icns"] = out / "icon.icns"
    images[1024].save(made["icns"], append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)])
    return made


def main(argv: list[str]) -> int:
    if argv == ["--window"]:
        render(256).save(WINDOW_PNG)
        print(WINDOW_PNG)
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for path in write_all(Path(argv[0])).values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
