"""Who may see a document: its owner, or whoever a registered rule lets in.

Other apps add rules without documents knowing them, e.g. the review engine:

    from documents.access import register_access_rule

    @register_access_rule
    def reviewers_in_scope(user, document) -> bool:
        return document.application_id is not None and user_may_review(user, document.application_id)

A rule gets a signed-in user and a document that is not rejected; it answers True to let the
user in. Everybody else gets a 404.
"""

from collections.abc import Callable

from .constants import DocumentStatus

AccessRule = Callable[[object, object], bool]

_rules: list[AccessRule] = []


def register_access_rule(rule: AccessRule) -> AccessRule:
    """Add a rule (once; registering the same function again changes nothing). Usable as a decorator."""
    if rule not in _rules:
        _rules.append(rule)
    return rule


def unregister_access_rule(rule: AccessRule) -> None:
    """Remove a rule (tests, and apps that switch a rule off)."""
    if rule in _rules:
        _rules.remove(rule)


def can_view(user, document) -> bool:
    """Owner, or any registered rule says yes. Nobody sees a document a scanner rejected."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if document.status == DocumentStatus.REJECTED:
        return False
    if document.owner_id == user.pk:
        return True
    return any(rule(user, document) for rule in list(_rules))
