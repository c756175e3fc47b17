"""Make a printed report's Chinese text search and copy as the characters it shows.

Noto CJK draws a Kangxi radical (⼈ U+2F08) and the ideograph it looks like
(人 U+4EBA) with one glyph, and Chromium's PDF names each glyph by the first
code point it finds for it: the radical. The page looks right, but copying,
searching ("人员") or a screen reader get radicals. Each font's ToUnicode map
is rewritten so that a radical or CJK-radicals-supplement code point becomes
its ideograph (NFKC: ⼈ -> 人; a table for the supplement: ⻅ -> 见); nothing
drawn changes.
"""

from __future__ import annotations

import io
import re
import unicodedata

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, StreamObject

RADICALS = range(0x2E80, 0x2FE0)     # CJK Radicals Supplement and Kangxi Radicals
# Where NFKC does not give the character a simplified-Chinese page shows: the radicals supplement has no
# NFKC form (⻅ 见, ⺠ 民, ⻔ 门: Unicode's EquivalentUnifiedIdeograph.txt), and a few Kangxi radicals fold to
# a traditional form the Noto CJK SC glyph is not (⼾ is drawn as 户, NFKC says 戶; ⾭ 青 not 靑).
SUPPLEMENT = dict(zip("⺠⺰⻅⻆⻈⻉⻋⻌⻐⻓⻔⻙⻚⻛⻜⻝⻠⻢⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳⼾⾭",
                      "民纟见角讠贝车辶钅长门韦页风飞食饣马鱼鸟卤麦黄黾齐齿龙龟户青"))
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"(<[0-9A-Fa-f]+>\s*)<([0-9A-Fa-f]{4})>")


def _ideograph(hex4: bytes) -> bytes:
    code = int(hex4, 16)
    if code not in RADICALS:
        return hex4
    plain = SUPPLEMENT.get(chr(code)) or unicodedata.normalize("NFKC", chr(code))
    return f"{ord(plain):04X}".encode() if len(plain) == 1 and ord(plain) not in RADICALS else hex4


def fix_cmap(cmap: bytes) -> bytes:
    """A ToUnicode CMap with its single-character mappings to radicals replaced by the ideographs."""
    def block(m: re.Match) -> bytes:
        body = _PAIR.sub(lambda p: p.group(1) + b"<" + _ideograph(p.group(2)) + b">", m.group(1))
        return b"beginbfchar" + body + b"endbfchar"
    return _BFCHAR.sub(block, cmap)


def _fonts(resources, seen: set):
    """Every font dictionary under ``resources``, also inside form XObjects (charts), each once."""
    if not isinstance(resources, DictionaryObject):
        return
    for ref in (resources.get("/Font") or {}).values():
        font = ref.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            yield font
    for ref in (resources.get("/XObject") or {}).values():
        xobj = ref.get_object()
        if id(xobj) not in seen and xobj.get("/Subtype") == "/Form":
            seen.add(id(xobj))
            yield from _fonts(xobj.get("/Resources"), seen)


def unify_cjk_text(pdf: bytes) -> bytes:
    """``pdf`` with radicals in its fonts' text maps replaced by ideographs (unchanged when there are none)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    changed, seen = False, set()
    for page in writer.pages:
        for font in _fonts(page.get("/Resources"), seen):
            stream = font.get("/ToUnicode")
            stream = stream.get_object() if stream is not None else None
            if not isinstance(stream, StreamObject):
                continue
            old = stream.get_data()
            new = fix_cmap(old)
            if new != old:
                stream.set_data(new)
                changed = True
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
