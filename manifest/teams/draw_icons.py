"""Draws the Teams app icons (development time only: the PNGs beside this file are committed, and the
coach never draws images at run time). Needs Pillow, in a throwaway environment outside the clone:

    python3 -m venv /tmp/icons && /tmp/icons/bin/pip install Pillow
    /tmp/icons/bin/python manifest/teams/draw_icons.py manifest/teams

Then raise APP_VERSION in adapters/teams/manifest.py (tests/teams/test_manifest.py says so).
"""
from PIL import Image, ImageDraw

ACCENT = (0x46, 0x4E, 0xB8)
SS = 8  # supersampling

def glyph(size: int) -> Image.Image:
    """White speech bubble outline with a check mark, as an alpha mask of size×size."""
    s = size * SS
    mask = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(mask)
    def p(x, y):
        return (x * s, y * s)
    w = max(2, round(0.075 * s))
    # bubble: rounded rectangle with a tail at the bottom left
    box = [p(0.14, 0.16), p(0.86, 0.70)]
    d.rounded_rectangle(box, radius=0.16 * s, outline=255, width=w)
    d.polygon([p(0.26, 0.66), p(0.44, 0.66), p(0.24, 0.86)], fill=255)
    # check mark
    d.line([p(0.32, 0.44), p(0.45, 0.56), p(0.68, 0.31)], fill=255, width=w, joint="curve")
    return mask.resize((size, size), Image.Resampling.LANCZOS)

def color(size: int = 192) -> Image.Image:
    bg = Image.new("RGB", (size, size), ACCENT)
    white = Image.new("RGB", (size, size), (255, 255, 255))
    return Image.composite(white, bg, glyph(size))

def outline(size: int = 32) -> Image.Image:
    alpha = glyph(size)
    white = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    white.putalpha(alpha)
    return white

if __name__ == "__main__":  # python draw_icons.py manifest/teams
    import sys
    out = sys.argv[1]
    color().save(f"{out}/color.png", optimize=True)
    outline().save(f"{out}/outline.png", optimize=True)
