"""The registry of application kinds. `reviews` knows no kind in particular: each kind registers itself.

A kind is registered once, from its app's `AppConfig.ready()`:

    from reviews.registry import ApplicationKind, register_kind

    register_kind(ApplicationKind(
        name="collection",                      # stored in Application.kind; a slug, ≤ 40 characters
        label=_("Information collection"),     # 信息采集
        payload_model=CollectionPayload,        # optional; see below
        load_payload=load_collection_payload,   # optional: application -> payload | None
        apply=apply_collection,                 # runs inside the approving transaction
        reviewer_template="dossier/_review.html",
        proof_documents=collection_proofs,      # application -> [(label, Document), ...]
        photo_document=collection_photo,        # application -> Document | None
        sla_working_days=5,
    ))

The payload model holds the kind's typed data and has exactly one `OneToOneField` to
`reviews.Application` (any field name, any related_name): the engine finds it by introspection,
and `kind.get_payload(application)` loads it with one query. `reviewer_template` is rendered on the
reviewer's application page with the context `application`, `payload` and `kind`.

A page loads the payload once: `get_payload` keeps what it loaded (the row, or None) in the
application instance's reverse one-to-one cache, so later calls with the same instance, and
`application.<related_name>`, cost no query. The kind's own hooks (`proof_documents`,
`photo_document`) are called with that same instance: they read the payload through
`get_kind(name).get_payload(application)` and share the row. A kind whose pages also show related
rows gives `load_payload(application)`, which returns the payload row with them selected and
prefetched (e.g. `select_related("dossier__photo")` and the dossier's rows); without it the
payload is one plain query.

`apply(application)` runs inside the approving transaction, after the row is locked and checked:
whatever it raises rolls back the whole decision (status, event, audit row and SMS). Raising
`reviews.services.ReviewError` shows its message to the reviewer.

`before_submit(application)` (optional) runs inside the submitting transaction; raising
`ReviewError` refuses the submission (e.g. a missing proof).

`snapshot(application) -> dict` (optional) returns the reviewable data as JSON-ready values. The
engine stores it, with the proofs' document ids, on the event of a return; when the application is
handed in again the reviewer's page shows what changed since it was returned. `describe_changes(old,
new)` (optional) turns two of the kind's snapshots into lines with attributes `label`, `old` and
`new` (words for people, e.g. dossier.change_diff.describe); without it a flat snapshot
`{label: value}` is compared key by key.

`exclusive=True` (the default) allows one open application of the kind per person, enforced by the
database; kinds where a person files many records at once (继续教育, 诚信) set it to False.

`bulk_approve=True` lets a reviewer approve several pending applications of the kind at once from
the inbox (`reviews.services.approve_many`: one transaction for the batch, each application still
its own checks, event, audit row and SMS). Leave it False for kinds whose every application must be
looked at one by one (信息采集, 信息变更, 手机号更换).

`apply_many(applications) -> {application id: ReviewError}` (optional) is `apply` for a batch of a
bulk approval, in a constant number of queries: it runs inside the batch's transaction with every
application already locked and checked (their instances carry the approved status and the new
version; the envelope rows are written after it), and returns the applications it refuses, for
which it must have written nothing; the others count as applied. Anything it raises rolls the whole
batch back. Without it a bulk approval calls `apply` for each application in a savepoint of its own
(also before the envelope rows are written): a ReviewError refuses that one, anything else is
reported as a fault of that one; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django_stubs_ext import StrOrPromise

from notifications.messages import APPLICATION_APPROVED, APPLICATION_RETURNED

if TYPE_CHECKING:
    from documents.models import Document
    from identity.models import User

    from .models import Application
    from .services import ReviewError


class ChangeLine(Protocol):
    """One line of a kind's `describe_changes`: what changed, in words for people."""

    @property
    def label(self) -> object: ...

    @property
    def old(self) -> object: ...

    @property
    def new(self) -> object: ...


# The hooks a kind registers (see the module docstring). The payload model is the kind's own: the
# engine reads it as a plain model, the kind's code knows its type.
LoadPayload: TypeAlias = "Callable[[Application], models.Model | None]"
Apply: TypeAlias = "Callable[[Application], object]"
ApplyMany: TypeAlias = "Callable[[list[Application]], Mapping[int, ReviewError] | None]"
ReviewerContext: TypeAlias = "Callable[[User, Application], Mapping[str, Any]]"
ProofDocuments: TypeAlias = "Callable[[Application], Iterable[tuple[str, Document]]]"
PhotoDocument: TypeAlias = "Callable[[Application], Document | None]"
BeforeSubmit: TypeAlias = "Callable[[Application], None]"
Snapshot: TypeAlias = "Callable[[Application], dict[str, Any] | None]"
DescribeChanges: TypeAlias = "Callable[[dict[str, Any], dict[str, Any]], Iterable[ChangeLine]]"


@dataclass(frozen=True)
class NotifyTexts:
    """SMS templates (keys of notifications.messages) sent to the applicant after a decision commits.

    `None` sends nothing. The templates get `label` (the kind's label, in Chinese) and, for a
    return, `reason`; a template that names neither simply ignores them.
    """

    approved: str | None = APPLICATION_APPROVED.key
    returned: str | None = APPLICATION_RETURNED.key


@dataclass(frozen=True, eq=False)
class ApplicationKind:
    name: str
    label: StrOrPromise
    payload_model: type[models.Model] | None = None
    load_payload: LoadPayload | None = None
    apply: Apply | None = None
    apply_many: ApplyMany | None = None
    reviewer_template: str | None = None
    # (user, application) -> dict: what reviewer_template shows beyond the payload, read by the view
    # (never by template tags), e.g. the applicant's record versions.
    reviewer_context: ReviewerContext | None = None
    proof_documents: ProofDocuments | None = None
    photo_document: PhotoDocument | None = None
    before_submit: BeforeSubmit | None = None
    snapshot: Snapshot | None = None
    describe_changes: DescribeChanges | None = None
    sla_working_days: int = 5
    notify_texts: NotifyTexts = field(default_factory=NotifyTexts)
    exclusive: bool = True
    bulk_approve: bool = False

    def __str__(self) -> str:
        return str(self.label)

    @cached_property
    def payload_field(self) -> str | None:
        """Name of the payload model's one-to-one field pointing at Application."""
        if self.payload_model is None:
            return None
        from .models import Application

        names = [
            f.name
            for f in self.payload_model._meta.get_fields()
            if isinstance(f, models.OneToOneField) and f.related_model is Application
        ]
        if len(names) != 1:
            raise ImproperlyConfigured(
                f"payload model {self.payload_model.__name__} of kind {self.name!r} needs exactly one "
                "OneToOneField to reviews.Application"
            )
        return names[0]

    def get_payload(self, application: Application) -> Any:
        """The application's payload row, or None for a kind without one / not yet saved.

        Loaded once per application instance (one query, or what `load_payload` costs) and kept in
        the instance's reverse one-to-one cache: later calls with the same instance cost nothing.
        Typed `Any`: the row is of the kind's own payload model, which the kind's code knows.
        """
        model, name = self.payload_model, self.payload_field
        if model is None or name is None:
            return None
        # payload_field found it as the payload model's one-to-one field to Application.
        relation = cast("models.OneToOneField[Any, Any]", model._meta.get_field(name)).remote_field
        if relation.is_cached(application):
            return relation.get_cached_value(application)
        payload: models.Model | None
        if self.load_payload is not None:
            payload = self.load_payload(application)
        else:
            payload = model._default_manager.filter(**{name: application}).first()
        relation.set_cached_value(application, payload)
        return payload

    def proofs(self, application: Application) -> list[tuple[str, Document]]:
        return list(self.proof_documents(application)) if self.proof_documents else []

    def photo(self, application: Application) -> Document | None:
        return self.photo_document(application) if self.photo_document else None


_registry: dict[str, ApplicationKind] = {}


def register_kind(kind: ApplicationKind) -> ApplicationKind:
    """Add a kind. Refuses a second kind of the same name and obviously broken definitions."""
    if not kind.name or len(kind.name) > 40 or not kind.name.replace("_", "").isalnum() or not kind.name.isascii():
        raise ImproperlyConfigured(f"application kind name {kind.name!r} must be a short ASCII slug")
    if kind.name in _registry:
        raise ImproperlyConfigured(f"application kind {kind.name!r} registered twice")
    if kind.sla_working_days < 1:
        raise ImproperlyConfigured(f"application kind {kind.name!r}: sla_working_days must be at least 1")
    kind.payload_field  # noqa: B018 - fail at start-up, not on the first page view
    _registry[kind.name] = kind
    return kind


def unregister_kind(name: str) -> None:
    """Remove a kind (tests only: kinds are registered once for the life of the process)."""
    _registry.pop(name, None)


def get_kind(name: str) -> ApplicationKind:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"unknown application kind {name!r}") from None


def all_kinds() -> list[ApplicationKind]:
    return list(_registry.values())


def allows_bulk_approve(name: str) -> bool:
    """Whether applications of the kind `name` may be approved several at once (unknown kinds: no)."""
    kind = _registry.get(name)
    return bool(kind and kind.bulk_approve)


def kind_label(name: str) -> StrOrPromise:
    kind = _registry.get(name)
    return kind.label if kind else name
