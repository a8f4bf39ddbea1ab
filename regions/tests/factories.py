"""Factories for regions. The Hubei data itself comes from the data migration (see `unit`)."""

import datetime

import factory

from regions.models import CalendarException, CalendarYear, ReviewUnit
from regions.services import save_unit


def unit(code: str) -> ReviewUnit:
    """A unit of the seeded Hubei tree, e.g. unit("420102") is 江岸区."""
    return ReviewUnit.objects.get(code=code)


class ReviewUnitFactory(factory.django.DjangoModelFactory):
    """A unit an administrator adds (e.g. a development zone), saved through `save_unit`.

    Default: under 武汉市市直. `ReviewUnitFactory(parent=unit("420102"))` puts it under 江岸区.
    """

    class Meta:
        model = ReviewUnit

    code = factory.Sequence(lambda n: f"DZ{n:04d}")
    name = factory.Sequence(lambda n: f"开发区{n}")
    level = ReviewUnit.Level.OTHER
    parent = factory.LazyFunction(lambda: unit("420100"))
    division = factory.LazyAttribute(lambda o: o.parent.division)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return save_unit(unit=model_class(*args, **kwargs))


class CalendarYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarYear
        django_get_or_create = ["year"]

    # A year no migration seeds (the provisional ones end in 2030).
    year = 2040
    source = "国务院办公厅通知"


class CalendarExceptionFactory(factory.django.DjangoModelFactory):
    """Default: 2040-03-06 (a Tuesday, no statutory holiday) entered as a holiday."""

    class Meta:
        model = CalendarException

    calendar_year = factory.SubFactory(CalendarYearFactory, year=factory.SelfAttribute("..day.year"))
    day = datetime.date(2040, 3, 6)
    kind = CalendarException.Kind.HOLIDAY
    name = "测试假日"
