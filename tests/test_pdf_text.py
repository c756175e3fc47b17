"""The PDF text map fix: radicals Noto CJK shares with ideographs become the ideographs."""

from __future__ import annotations

import io

import pypdf
from pypdf.generic import NameObject, StreamObject

from reliefplan.batch.pdf_text import fix_cmap, unify_cjk_text

CMAP = b"""/CIDInit /ProcSet findresource begin
begincmap
2 beginbfchar
<01> <2F08>
<02> <2EC5>
endbfchar
1 beginbfrange
<10> <12> <0030>
endbfrange
4 beginbfchar
<C9> <2EA0>
<CA> <4EBA>
<CB> <2E81>
<CC> <2F3E>
endbfchar
endcmap"""


def test_radicals_in_single_mappings_become_ideographs_and_nothing_else_moves():
    fixed = fix_cmap(CMAP)
    assert b"<01> <4EBA>" in fixed and b"<02> <89C1>" in fixed and b"<C9> <6C11>" in fixed   # 人 见 民
    assert b"<CA> <4EBA>" in fixed and b"<10> <12> <0030>" in fixed
    assert b"<CB> <2E81>" in fixed          # a radical with no ideograph of its own stays
    assert b"<CC> <6237>" in fixed          # ⼾ is drawn as 户 (NFKC would say the traditional 戶)
    assert fix_cmap(fixed) == fixed


def test_a_pdf_without_radicals_comes_back_unchanged_and_one_with_them_is_fixed():
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    tounicode = StreamObject()
    tounicode.set_data(CMAP)
    font = pypdf.generic.DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                           NameObject("/Subtype"): NameObject("/Type0"),
                                           NameObject("/ToUnicode"): writer._add_object(tounicode)})
    page[NameObject("/Resources")] = pypdf.generic.DictionaryObject(
        {NameObject("/Font"): pypdf.generic.DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    buf = io.BytesIO()
    writer.write(buf)
    fixed = unify_cjk_text(buf.getvalue())
    reader = pypdf.PdfReader(io.BytesIO(fixed))
    data = reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()["/ToUnicode"].get_object().get_data()
    assert b"<01> <4EBA>" in data
    assert unify_cjk_text(fixed) == fixed
