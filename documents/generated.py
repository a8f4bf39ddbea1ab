"""Documents the system writes for people to print: the 从事会计工作说明 (manual §6.3).

The statement is an official Chinese form the employer stamps, so its text is Chinese whatever
the interface language.
"""

from io import BytesIO

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "宋体"
TITLE_FONT = "黑体"
BLANK = "\u3000" * 6  # a space to fill in by hand


def _set_font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Word reads East Asian text from the eastAsia slot; without it Chinese falls back to a Latin font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, parts, *, align=None, indent: bool = False, space_after: float = 6):
    """One paragraph of (text, underlined) parts."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = 1.5
    paragraph.paragraph_format.space_after = Pt(space_after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(14 * 2)
    if align is not None:
        paragraph.alignment = align
    for text, underline in parts:
        run = paragraph.add_run(text)
        _set_font(run, FONT, 14)
        run.font.underline = underline
    return paragraph


def employment_statement_docx(*, name: str, id_type_label: str, id_number: str, unit_name: str) -> bytes:
    """The 从事会计工作说明, pre-filled with the person and unit, blanks left for dates, seal and signature.

    An empty unit_name leaves a blank line to write the unit by hand.
    """
    document = DocxDocument()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(3)
    section.left_margin = section.right_margin = Cm(2.8)
    document.core_properties.title = "从事会计工作说明"
    document.core_properties.author = ""

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(24)
    _set_font(title.add_run("从事会计工作说明"), TITLE_FONT, 22, bold=True)

    _paragraph(document, [("湖北省会计人员信息管理部门：", False)])
    _paragraph(
        document,
        [
            ("兹有", False),
            (f" {name} ", True),
            ("（证件类型：", False),
            (f" {id_type_label} ", True),
            ("，证件号码：", False),
            (f" {id_number} ", True),
            ("），系我单位", False),
            (f" {unit_name or BLANK * 2} ", True),
            ("工作人员，自", False),
            (BLANK, True),
            ("年", False),
            (BLANK[:3], True),
            ("月起在我单位从事会计工作，现任", False),
            (BLANK * 2, True),
            ("岗位。", False),
        ],
        indent=True,
    )
    _paragraph(document, [("我单位对以上情况的真实性负责。", False)], indent=True)
    _paragraph(document, [("特此说明。", False)], indent=True, space_after=48)

    _paragraph(
        document, [("单位名称（盖章）：", False), (f" {unit_name or BLANK * 2} ", True)], align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    _paragraph(document, [("单位负责人（签字）：", False), (BLANK * 2, True)], align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, [("联系电话：", False), (BLANK * 2, True)], align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(
        document,
        [
            ("日期：", False),
            (BLANK, True),
            ("年", False),
            (BLANK[:3], True),
            ("月", False),
            (BLANK[:3], True),
            ("日", False),
        ],
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )

    out = BytesIO()
    document.save(out)
    return out.getvalue()
