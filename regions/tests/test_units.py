"""Scope queries on the unit tree and `save_unit` keeping the materialised paths true."""

import pytest
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from regions.exceptions import RegionError
from regions.models import ReviewUnit
from regions.selectors import picker_groups, top_units, unit_by_code, units_at_or_below, units_in_city
from regions.services import save_unit
from regions.tests.factories import ReviewUnitFactory, unit

pytestmark = pytest.mark.django_db


def codes(units):
    return [u.code for u in units]


def test_wuhan_city_scope_includes_jiangan_but_not_huangshi(django_assert_num_queries):
    wuhan = unit("420100")
    with django_assert_num_queries(1):
        scope = set(codes(units_at_or_below(wuhan)))
    assert "420100" in scope
    assert "420102" in scope
    assert "420200" not in scope
    assert "420202" not in scope
    assert len(scope) == 1 + 13


def test_the_province_scope_is_everything_and_a_county_scope_is_itself():
    assert units_at_or_below(unit("420000")).count() == 117
    assert codes(units_at_or_below(unit("420102"))) == ["420102"]


def test_a_prefix_code_does_not_leak_into_the_scope_of_another_unit():
    # 4201 is a prefix of 420100's code but not of its path segment: the trailing "/" keeps them apart.
    odd = ReviewUnitFactory(code="4201", parent=unit("420000"), division=unit("420000").division)
    assert odd.code not in codes(units_at_or_below(unit("420100")))
    assert codes(units_at_or_below(odd)) == ["4201"]


def test_the_path_column_has_an_index_that_serves_prefix_queries():
    table = ReviewUnit._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert any(c["index"] and c["columns"] == ["path"] for c in constraints.values())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
            definitions = [row[0] for row in cursor.fetchall()]
            assert any("(path varchar_pattern_ops)" in d for d in definitions), definitions
            sql, params = units_at_or_below(unit("420100")).query.sql_with_params()
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index" in plan and "path" in plan, plan


def test_top_units_are_the_province_then_the_thirteen_cities(django_assert_num_queries):
    with django_assert_num_queries(1):
        tops = list(top_units())
    assert tops[0].code == "420000"
    assert [u.name for u in tops[1:3]] == ["武汉市市直", "黄石市市直"]
    assert len(tops) == 14
    assert tops[-1].name == "恩施州州直"


def test_units_in_a_city_start_with_the_city_unit_then_its_counties(django_assert_num_queries):
    wuhan_unit = unit("420100")
    with django_assert_num_queries(1):
        wuhan = list(units_in_city(wuhan_unit))
    assert wuhan[0].name == "武汉市市直"
    assert "江岸区" in [u.name for u in wuhan]
    assert "黄石港区" not in [u.name for u in wuhan]
    assert len(wuhan) == 14


def test_the_province_group_holds_the_province_managed_counties_but_not_the_cities():
    group = [u.name for u in units_in_city(unit("420000"))]
    assert group == ["湖北省省直", "仙桃市", "潜江市", "天门市", "神农架林区"]


def test_inactive_units_are_left_out_of_the_picker_lists_but_stay_in_scope():
    jiangan = unit("420102")
    jiangan.is_active = False
    save_unit(unit=jiangan)
    assert "420102" not in codes(units_in_city(unit("420100")))
    assert "420102" in codes(units_at_or_below(unit("420100")))
    assert unit_by_code("420102") is None
    assert unit_by_code("420102", active_only=False) == jiangan


def test_unit_by_code_finds_a_unit_or_answers_none(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert unit_by_code("420102").name == "江岸区"
    assert unit_by_code("999999") is None
    assert unit_by_code("") is None


def test_the_cached_picker_groups_follow_the_same_rule_as_units_in_city(django_assert_num_queries):
    ReviewUnitFactory(name="东湖高新区", parent=unit("420100"))
    ReviewUnitFactory(name="江岸经济开发区", parent=unit("420102"))
    ReviewUnitFactory(name="省直属开发区", parent=unit("420000"))
    with django_assert_num_queries(2):
        groups = picker_groups()
    with django_assert_num_queries(0):
        assert picker_groups() == groups
    assert [g.code for g in groups] == codes(top_units())
    for group in groups:
        assert [u.code for u in group.units] == codes(units_in_city(unit(group.code)))
    assert groups[1].label == "武汉市"
    assert groups[0].label == "湖北省省直"


def test_a_new_unit_gets_its_path_from_its_parent():
    zone = ReviewUnitFactory(code="420102DZ", name="江岸经济开发区", parent=unit("420102"))
    assert zone.path == "420000/420100/420102/420102DZ/"
    assert zone in units_at_or_below(unit("420100"))


def test_moving_a_unit_rewrites_the_paths_of_everything_below_it():
    zone = ReviewUnitFactory(code="DZ1", parent=unit("420102"))
    sub = ReviewUnitFactory(code="DZ2", parent=zone)
    jiangan = unit("420102")
    jiangan.parent = unit("420200")
    save_unit(unit=jiangan)

    zone.refresh_from_db()
    sub.refresh_from_db()
    assert jiangan.path == "420000/420200/420102/"
    assert zone.path == "420000/420200/420102/DZ1/"
    assert sub.path == "420000/420200/420102/DZ1/DZ2/"
    assert "DZ2" in codes(units_at_or_below(unit("420200")))
    assert "DZ2" not in codes(units_at_or_below(unit("420100")))
    assert unit("420103").path == "420000/420100/420103/"


def test_changing_a_code_rewrites_the_paths_below_it():
    zone = ReviewUnitFactory(code="OLD", parent=unit("420100"))
    child = ReviewUnitFactory(code="KID", parent=zone)
    zone.code = "NEW"
    save_unit(unit=zone)
    child.refresh_from_db()
    assert child.path == "420000/420100/NEW/KID/"


def test_a_unit_cannot_move_under_itself_or_its_own_units():
    wuhan = unit("420100")
    wuhan.parent = unit("420102")
    with pytest.raises(RegionError) as error:
        save_unit(unit=wuhan)
    assert error.value.field == "parent"
    assert "不能" in str(error.value.message)
    wuhan.refresh_from_db()
    assert wuhan.path == "420000/420100/"
    assert unit("420102").path == "420000/420100/420102/"


@pytest.mark.parametrize("bad_code", ["42/01", "", "江岸", "a b"])
def test_a_code_that_would_break_the_path_is_refused(bad_code):
    with pytest.raises(RegionError) as error:
        ReviewUnitFactory(code=bad_code)
    assert error.value.field == "code"
    assert not ReviewUnit.objects.filter(code=bad_code).exists()


def test_a_duplicate_code_is_refused_with_the_field():
    with pytest.raises(RegionError) as error:
        ReviewUnitFactory(code="420102")
    assert error.value.field == "code"


def test_saving_a_unit_forgets_the_cached_picker_data(django_capture_on_commit_callbacks):
    picker_groups()
    with django_capture_on_commit_callbacks(execute=True):
        ReviewUnitFactory(name="东湖高新区", parent=unit("420100"))
    assert "东湖高新区" in [u.name for u in picker_groups()[1].units]


@settings(max_examples=25, deadline=None)
@given(moves=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5)), min_size=1, max_size=6))
def test_paths_always_match_the_parent_chain_after_any_moves(moves):
    with transaction.atomic():  # each example starts from the seeded tree
        zones = [ReviewUnitFactory(code=f"HZ{i}") for i in range(5)]
        targets = [unit("420000"), unit("420100"), unit("420102"), *zones[:3]]
        for zone_index, target_index in moves:
            zone = ReviewUnit.objects.get(pk=zones[zone_index].pk)
            zone.parent = ReviewUnit.objects.get(pk=targets[target_index].pk)
            try:
                save_unit(unit=zone)
            except RegionError as error:
                assert error.field == "parent"  # only a move under itself is refused
        for current in ReviewUnit.objects.filter(code__startswith="HZ").select_related("parent"):
            assert current.path == f"{current.parent.path}{current.code}/"
        transaction.set_rollback(True)


def test_the_cached_scope_of_a_unit_follows_a_unit_added_under_it(django_capture_on_commit_callbacks):
    from regions.selectors import unit_ids_at_or_below
    from regions.tests.factories import ReviewUnitFactory, unit

    wuhan = unit("420100")
    before = unit_ids_at_or_below(wuhan)
    assert unit("420102").pk in before and unit("420202").pk not in before

    with django_capture_on_commit_callbacks(execute=True):
        zone = ReviewUnitFactory(parent=wuhan)

    assert unit_ids_at_or_below(wuhan) == sorted([*before, zone.pk])


def test_the_cached_scope_costs_no_query_once_warm(django_assert_num_queries):
    from regions.selectors import unit_ids_at_or_below
    from regions.tests.factories import unit

    jiangan = unit("420102")
    unit_ids_at_or_below(jiangan)
    with django_assert_num_queries(0):
        assert unit_ids_at_or_below(jiangan) == [jiangan.pk]
