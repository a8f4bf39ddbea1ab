"""Data for the restore drill, made through the app: `python deploy/drill_seed.py [PEOPLE]`.

Run by deploy/restore_drill.sh with the drill's DATABASE_URL and MEDIA_ROOT. Approved 信息采集
(dossier, photo, proofs, review events, audit rows, SMS outbox) from the project's test factories
(a development dependency, like the drill), plus proofs stored through documents.services.store_upload
with distinct contents, so that every file's SHA-256 differs and a swapped file would show.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(people: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import Document
    from documents.services import store_upload
    from documents.tests import corpus
    from dossier.tests.factories import approved_person, collection

    persons = [approved_person() for _ in range(people)]
    collection(state="pending")
    collection(state="returned")
    for index, person in enumerate(persons):
        for variant in range(3):
            png = corpus.png(size=(32 + index, 24 + variant), colour=(index * 37 % 256, variant * 80, 120))
            store_upload(owner=person, uploaded_file=SimpleUploadedFile("证明.png", png), slot="cpa")
        pdf = corpus.pdf(pages=index + 1)
        store_upload(owner=person, uploaded_file=SimpleUploadedFile(f"证明{index}.pdf", pdf), slot="title")
    sys.stdout.write(f"seeded: {len(persons) + 2} accountants, {Document.objects.count()} documents\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
