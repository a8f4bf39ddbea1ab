"""The certificates' PDFs, drawn on the server with ReportLab (docs/decisions/0008-pdf-generation.md).

Chinese text uses ReportLab's built-in CID font STSong-Light (Adobe-GB1): PDF readers carry it, so
no font file is shipped or looked up on the host. The certificates are official Chinese documents,
so their text is Chinese whatever the interface language (like `documents.generated`).
"""

from io import BytesIO

import qrcode
from django.utils import timezone, translation
from qrcode.image.pil import PilImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from core.masking import mask_id_number

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

AUTHORITY = "湖北省会计人员管理系统"
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=6 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24, wordWrap="CJK")
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
HEAD = ParagraphStyle("head", fontName=FONT, fontSize=11, leading=16, spaceBefore=3 * mm, spaceAfter=1.5 * mm)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=13, textColor=colors.HexColor("#444444"))


def _p(text, style=CELL) -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text if text not in (None, "") else "—")), style)


def qr_png(url: str) -> bytes:
    """A QR code of `url` as PNG bytes (error correction M, a quiet zone of 4 modules)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = BytesIO()
    code.make_image(image_factory=PilImage).save(out, format="PNG")
    return out.getvalue()


def _verification_block(*, url: str, serial: str, issued_at) -> Table:
    qr = Image(BytesIO(qr_png(url)), width=32 * mm, height=32 * mm)
    text = [
        _p(f"证书编号：{serial}", SMALL),
        _p(f"签发日期：{timezone.localtime(issued_at):%Y年%m月%d日}", SMALL),
        _p("扫描二维码或打开以下地址，查验本证明的真实性和当前状态：", SMALL),
        _p(url, SMALL),
    ]
    table = Table([[qr, text]], colWidths=[36 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOX", (0, 0), (-1, -1), 0.5, colors.grey)]))
    return table


def _document(title: str, story: list) -> bytes:
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=AUTHORITY,
        creator=AUTHORITY,
    )
    doc.build(story)
    return out.getvalue()


def ce_certificate_pdf(*, certificate, person, summary, unit_name: str, url: str) -> bytes:
    """继续教育学分证明 of one year: who, the year, the approved credits and that they meet the requirement."""
    requirement = summary.requirement
    share = requirement.share
    story = [
        _p("会计专业技术人员继续教育学分证明", TITLE),
        _p(
            f"兹证明 {person.full_name}（证件号码：{mask_id_number(person.id_number)}）"
            f"{certificate.year}年度取得经审核的继续教育学分 {certificate.credits} 学分，"
            f"其中专业科目 {certificate.professional_credits} 学分，"
            f"公需科目 {certificate.credits - certificate.professional_credits} 学分，"
            f"达到该年度不少于 {requirement.min_credits} 学分、专业科目不少于总学分 "
            f"{share.numerator}/{share.denominator} 的要求。",
            BODY,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [
        ["姓名", person.full_name],
        ["证件号码", mask_id_number(person.id_number)],
        ["年度", f"{certificate.year}年度"],
        ["已审核学分", f"{certificate.credits} 学分"],
        ["其中专业科目", f"{certificate.professional_credits} 学分"],
        ["管理单位", unit_name],
    ]
    table = Table([[_p(k), _p(v)] for k, v in rows], colWidths=[35 * mm, None])
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)])
    )
    story += [
        table,
        Spacer(1, 8 * mm),
        _p(f"{AUTHORITY}（{unit_name}）", ParagraphStyle("sig", parent=BODY, alignment=2, firstLineIndent=0)),
        Spacer(1, 10 * mm),
        KeepTogether(_verification_block(url=url, serial=certificate.serial, issued_at=certificate.issued_at)),
    ]
    return _document(f"{certificate.year}年度继续教育学分证明", story)


def _yes_no(value) -> str:
    return "—" if value is None else ("是" if value else "否")


def registration_pdf(*, certificate, record, dossier, photo: bytes | None, url: str) -> bytes:
    """会计人员信息登记表: the approved record's current version, with the photo."""
    from dossier.options import label_for

    def option(key, value):
        return label_for(key, value) if value else "—"

    with translation.override("zh-hans"):
        id_type = dossier.get_id_type_display()
        sex = dossier.get_sex_display() or "—"
    approved = timezone.localtime(record.approved_at)
    photo_cell = Image(BytesIO(photo), width=26 * mm, height=36.4 * mm) if photo else _p("（无照片）", SMALL)
    personal = [
        ["姓名", dossier.full_name, "性别", sex],
        ["证件类型", id_type, "证件号码", mask_id_number(dossier.id_number)],
        [
            "出生日期",
            f"{dossier.birth_date:%Y-%m-%d}" if dossier.birth_date else "—",
            "民族",
            option("ethnicity", dossier.ethnicity),
        ],
        ["政治面貌", option("political_status", dossier.political_status), "电子邮箱", dossier.email],
        ["通讯地址", dossier.address, "", ""],
    ]
    personal_table = Table([[_p(c) for c in row] for row in personal], colWidths=[20 * mm, 42 * mm, 20 * mm, 42 * mm])
    personal_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("SPAN", (1, 4), (3, 4))]))
    top = Table([[personal_table, photo_cell]], colWidths=[126 * mm, 44 * mm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER")]))

    education_rows = [["学历", "学习形式", "学位", "学校", "专业", "毕业时间"]]
    for row in dossier.educations.all():
        education_rows.append(
            [
                option("education_level", row.level),
                option("study_mode", row.study_mode),
                option("degree", row.degree),
                row.school,
                row.major,
                f"{row.graduated_on:%Y-%m-%d}" if row.graduated_on else "—",
            ]
        )
    education = Table([[_p(c) for c in row] for row in education_rows], repeatRows=1)
    education.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    )

    qualification = [
        [
            "专业技术资格类型",
            option("qualification_type", dossier.qualification_type),
            "级别",
            option("qualification_level", dossier.qualification_level),
        ],
        [
            "取得方式",
            option("qualification_obtained_by", dossier.qualification_obtained_by),
            "取得时间",
            f"{dossier.qualification_date:%Y-%m-%d}" if dossier.qualification_date else "—",
        ],
        [
            "证书（批文）号",
            dossier.qualification_certificate_no,
            "会计专业职务",
            option("accounting_title", dossier.accounting_title),
        ],
        ["注册会计师", _yes_no(dossier.is_cpa), "资产评估师", _yes_no(dossier.is_valuer)],
        ["税务师", _yes_no(dossier.is_tax_adviser), "高端会计人才", option("high_end_talent", dossier.high_end_talent)],
        [
            "会计行政职务",
            option("admin_post", dossier.admin_post),
            "珠算等级",
            option("abacus_level", dossier.abacus_level),
        ],
    ]
    post = [["是否在岗", _yes_no(dossier.on_duty), "行政区划", dossier.unit.name if dossier.unit_id else "—"]]
    if dossier.on_duty:
        post += [
            ["工作单位", dossier.employer_name, "统一社会信用代码", dossier.employer_uscc],
            [
                "单位性质",
                option("unit_nature", dossier.unit_nature),
                "会计岗位",
                option("accounting_post", dossier.accounting_post),
            ],
            [
                "从事会计工作起始时间",
                f"{dossier.accounting_since:%Y-%m-%d}" if dossier.accounting_since else "—",
                "单位地址",
                dossier.employer_address,
            ],
        ]

    def grid(rows):
        table = Table([[_p(c) for c in row] for row in rows], colWidths=[32 * mm, 53 * mm, 32 * mm, 53 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
        return table

    story = [
        _p("会计人员信息登记表", TITLE),
        _p(
            f"管理单位：{record.unit.name}　　审核通过：{approved:%Y年%m月%d日}　　版本：第 {certificate.record_version} 版",
            SMALL,
        ),
        Spacer(1, 3 * mm),
        _p("个人信息", HEAD),
        top,
        _p("学历信息", HEAD),
        education,
        _p("专业技术资格", HEAD),
        grid(qualification),
        _p("会计岗位信息", HEAD),
        grid(post),
        Spacer(1, 8 * mm),
        KeepTogether(_verification_block(url=url, serial=certificate.serial, issued_at=certificate.issued_at)),
    ]
    return _document("会计人员信息登记表", story)
