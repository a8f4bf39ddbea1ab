"""A few standard return reasons to start with; administrators edit the list in the admin."""

from django.db import migrations

REASONS = [
    "证明材料不清晰或不完整，请重新上传",
    "照片不符合要求（须为红、蓝或白色背景的一寸证件照，无白边）",
    "学历信息与学历证书不一致",
    "专业技术资格信息与资格证书不一致",
    "工作单位信息或统一社会信用代码有误",
    "会计岗位信息填写有误",
    "所选管理地区（审核单位）有误，请按工作单位所在地选择",
    "个人基本信息填写有误",
]


def seed(apps, schema_editor):
    StandardReturnReason = apps.get_model("reviews", "StandardReturnReason")
    for order, text in enumerate(REASONS, start=1):
        StandardReturnReason.objects.get_or_create(text=text, defaults={"sort_order": order * 10})


def unseed(apps, schema_editor):
    StandardReturnReason = apps.get_model("reviews", "StandardReturnReason")
    StandardReturnReason.objects.filter(text__in=REASONS).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
