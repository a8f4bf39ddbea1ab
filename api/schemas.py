"""Request and response bodies of the API (Pydantic, via django-ninja): what the OpenAPI schema shows."""

import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class Error(Schema):
    code: str = Field(description="Machine code, e.g. invalid_signature")
    message: str = Field(description="Message for people (Chinese)")
    errors: Any | None = Field(default=None, description="Details: problems by field or by row")


class CourseIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    subject: Literal["public", "professional"]
    mode: Literal["face_to_face", "online", "other"]
    start_date: datetime.date
    end_date: datetime.date
    hours: int = Field(ge=1, le=1000)


class CourseOut(Schema):
    id: int
    name: str
    subject: str
    mode: str
    start_date: datetime.date
    end_date: datetime.date
    hours: int
    credits: int
    attendees_active: int
    attendees_revoked: int
    created_at: datetime.datetime


class AttendeeIn(Schema):
    id_type: str = Field(min_length=1, max_length=20, description="居民身份证 … or the code, e.g. resident_id")
    id_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=50)
    date: datetime.date = Field(description="Attendance date, within the course")


class AttendeesIn(Schema):
    attendees: list[AttendeeIn] = Field(min_length=1, max_length=1000)


class RegistrationOut(Schema):
    registered: int = Field(description="Attendees registered by this call")
    already: int = Field(description="Attendees already registered for the course (skipped)")


class AttendeeOut(Schema):
    id: int
    id_type: str
    id_number: str
    name: str
    attended_on: datetime.date
    credits: int
    status: str
    matched_person: bool = Field(description="Whether the person is registered in the system")


class AttendeePage(Schema):
    items: list[AttendeeOut]
    next_cursor: str
    has_more: bool


class Person(Schema):
    id_type: str
    id_number: str
    name: str


class Unit(Schema):
    code: str
    name: str


class RecordVersionOut(Schema):
    id: int
    person: Person
    version: int
    kind: Literal["collection", "change"]
    unit: Unit
    approved_at: datetime.datetime
    record: dict[str, Any] = Field(description="The approved record as it was approved (snapshot)")


class RecordPage(Schema):
    items: list[RecordVersionOut]
    next_cursor: str = Field(description="Pass as `cursor` to read on; keep it for the next poll")
    has_more: bool


class CeSummary(Schema):
    approved_credits: int
    professional_credits: int
    required_credits: int
    meets_requirement: bool


class CeEventOut(Schema):
    event: str
    source: Literal["review", "institution"]
    at: datetime.datetime
    person: Person
    year: int
    summary: CeSummary | None = Field(description="The year's summary now (null: person not registered)")


class CePage(Schema):
    items: list[CeEventOut]
    next_cursor: str
    has_more: bool


class VerificationOut(Schema):
    valid: bool
    validity: str
    kind: str
    serial: str
    name: str
    year: int | None
    credits: int | None
    record_version: int | None
    issued_at: datetime.datetime
