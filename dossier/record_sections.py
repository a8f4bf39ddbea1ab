"""Sections other parts add to a person's 信息查询 page (e.g. 诚信 records).

`dossier` does not know those parts: they register here from their AppConfig.ready(), so the
arrows keep pointing one way (integrity → dossier).

    register_record_section("integrity/_person_records.html",
                            lambda person: {"integrity_records": records_for_person(person)})
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class RecordSection:
    template_name: str
    context: Callable[[object], dict]


_sections: list[RecordSection] = []


def register_record_section(template_name: str, context: Callable[[object], dict]) -> None:
    if any(section.template_name == template_name for section in _sections):
        raise ImproperlyConfigured(f"record section {template_name!r} registered twice")
    _sections.append(RecordSection(template_name, context))


def render_sections(person, *, request=None) -> list[SafeString]:
    """Each registered section rendered for `person`, in registration order."""
    return [render_to_string(s.template_name, s.context(person), request=request) for s in _sections]
