"""The Django side of the drills, run with the app's environment: `python -m drills.seed <command> ...`.

Prints one JSON object on its last line. Commands:

  finish <id_number>   fill the rest of the accountant's 信息采集 (the photo uploaded through nginx is
                       kept) and submit it: the wizard's later steps are not what the drills test
  pending <count>      <count> new accountants with a submitted 信息采集 each (江岸区), for decisions
                       during the faults

Uses the project's test factories (a development dependency, like the drills themselves); every
file they store goes to the configured storage (the moto S3 server).
"""

import json
import os
import sys


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def finish(id_number: str) -> dict:
    from dossier import services
    from dossier.constants import Step
    from dossier.models import CollectionPayload
    from dossier.tests.factories import SECTION_FIELDS, DossierFactory, EducationRecordFactory, give_every_proof
    from identity.models import User
    from reviews import services as reviews

    person = User.objects.get(id_number=id_number)
    payload = CollectionPayload.objects.select_related("dossier", "application").get(
        application__applicant=person, application__kind="collection"
    )
    dossier = payload.dossier
    if dossier.photo_id is None:
        raise SystemExit("the photo step was not saved through nginx")
    template = DossierFactory.build(owner=person)
    for name in SECTION_FIELDS:
        if name not in ("photo",) and getattr(dossier, name) in (None, ""):
            setattr(dossier, name, getattr(template, name))
    dossier.save()
    if not dossier.educations.exists():
        EducationRecordFactory(dossier=dossier, position=0)
    if not dossier.proofs.exists():
        give_every_proof(dossier, payload.application_id)
    payload.current_step = payload.furthest_step = Step.PREVIEW
    payload.save()
    if dossier.unit_id != payload.application.unit_id:
        assert dossier.unit is not None  # a seeded dossier has its unit
        reviews.set_unit(application=payload.application, unit=dossier.unit)
    payload.application.refresh_from_db()
    application = services.submit_collection(payload=payload, actor=person)
    return {"application": application.pk, "status": application.status}


def pending(count: int) -> dict:
    from dossier.tests.factories import collection

    ids = [collection(state="pending").application_id for _ in range(count)]
    return {"applications": ids}


def main(argv: list[str]) -> None:
    _setup()
    command, *args = argv
    if command == "finish":
        result = finish(args[0])
    elif command == "pending":
        result = pending(int(args[0]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))  # noqa: T201 - the orchestrator reads it


if __name__ == "__main__":
    main(sys.argv[1:])
