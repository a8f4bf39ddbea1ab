"""core.request_memo: option lists read from the cache at most once per request."""

from unittest import mock

import pytest
from django.core.cache import cache

from core import request_memo
from dossier import options as dossier_options
from dossier.constants import OptionList
from dossier.models import OptionItem
from integrity import options as integrity_options

pytestmark = pytest.mark.django_db


class CacheReads:
    """Counts the round trips to the cache (get and get_many), letting them through."""

    def __init__(self):
        self.calls = 0
        self._inside_get_many = False

    def __enter__(self):
        real_get, real_get_many = cache.get, cache.get_many

        def get(*args, **kwargs):
            self.calls += not self._inside_get_many  # LocMemCache.get_many calls get per key
            return real_get(*args, **kwargs)

        def get_many(*args, **kwargs):
            self.calls += 1
            self._inside_get_many = True
            try:
                return real_get_many(*args, **kwargs)
            finally:
                self._inside_get_many = False

        self._patches = [mock.patch.object(cache, "get", get), mock.patch.object(cache, "get_many", get_many)]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self._patches:
            patch.stop()


def some_item():
    return OptionItem.objects.filter(list_key=str(OptionList.ETHNICITY), is_active=True).first()


def read_many_labels(item):
    for _ in range(10):
        assert dossier_options.label_for(item.list_key, item.value) == item.label
        dossier_options.active_choices(item.list_key)
        integrity_options.active_choices(next(iter(integrity_options.items_from_file())))


def test_one_request_reads_every_option_list_in_one_round_trip():
    item = some_item()
    read_many_labels(item)  # warm the cache
    request_memo._start()
    try:
        with CacheReads() as reads:
            read_many_labels(item)
    finally:
        request_memo._finish()
    assert reads.calls == 1


def test_outside_a_request_every_read_goes_to_the_cache():
    item = some_item()
    read_many_labels(item)
    with CacheReads() as reads:
        read_many_labels(item)
    assert reads.calls == 30


def test_a_request_that_edits_a_list_reads_its_own_write_and_the_next_request_sees_it():
    item = some_item()
    request_memo._start()
    try:
        assert dossier_options.label_for(item.list_key, item.value) == item.label
        item.label = "新的名称"
        item.save()  # the model's save drops the cached lists (invalidate_options)
        assert dossier_options.label_for(item.list_key, item.value) == "新的名称"
    finally:
        request_memo._finish()
    request_memo._start()
    try:
        assert dossier_options.label_for(item.list_key, item.value) == "新的名称"
    finally:
        request_memo._finish()


def test_the_memo_follows_django_request_signals():
    from django.core.signals import request_finished, request_started

    assert any("core.request_memo.start" in str(receiver[0]) for receiver in request_started.receivers)
    assert any("core.request_memo.finish" in str(receiver[0]) for receiver in request_finished.receivers)
