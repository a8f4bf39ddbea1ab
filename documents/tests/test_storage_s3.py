"""Documents on S3 object storage (moto's in-process mock): the settings, upload, download, cleanup."""

import hashlib
from io import StringIO

import boto3
import pytest
from botocore.config import Config
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from moto import mock_aws

from documents.models import Document
from documents.services import store_upload
from documents.storage import ensure_bucket

from . import corpus
from .factories import OwnerFactory
from .s3 import ACCESS_KEY, BUCKET, REGION, SECRET_KEY, s3_storages
from .test_uploads import upload

pytestmark = pytest.mark.django_db

PROOF_URL = reverse("documents:proof_upload")


def bucket_objects() -> dict[str, bytes]:
    client = boto3.client("s3", region_name=REGION, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read() for item in listed}


@pytest.fixture
def s3(settings, monkeypatch):
    """The default storage is S3 (settings as in production) on a moto bucket."""
    with mock_aws():
        settings.STORAGES = s3_storages(monkeypatch)
        ensure_bucket(default_storage)
        yield


@pytest.fixture
def accountant(client):
    owner = OwnerFactory()
    client.force_login(owner)
    client.owner = owner
    return client


def test_the_s3_client_has_short_time_outs_and_few_retries(monkeypatch):
    options = s3_storages(monkeypatch, endpoint="http://127.0.0.1:9000")["default"]["OPTIONS"]
    config: Config = options["client_config"]

    assert (config.connect_timeout, config.read_timeout) == (1.0, 1.5)
    # total_max_attempts counts the first attempt too (botocore's max_attempts would not).
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}
    assert config.s3["addressing_style"] == "path"  # MinIO and other on-premises endpoints
    # The worst case (every attempt connects at the last moment, then hangs) stays within 5 s.
    assert config.retries["total_max_attempts"] * (config.connect_timeout + config.read_timeout) <= 5
    assert options["transfer_config"].use_threads is False


def test_the_time_outs_and_retries_come_from_the_environment(monkeypatch):
    config = s3_storages(
        monkeypatch, STORAGE_CONNECT_TIMEOUT="0.5", STORAGE_READ_TIMEOUT="2", STORAGE_MAX_ATTEMPTS="1"
    )["default"]["OPTIONS"]["client_config"]

    assert (config.connect_timeout, config.read_timeout) == (0.5, 2.0)
    assert config.retries["total_max_attempts"] == 1
    assert config.s3["addressing_style"] == "auto"  # no endpoint: AWS itself


def test_an_upload_through_the_box_lands_in_the_bucket_with_its_sha256(s3, accountant):
    data = corpus.pdf()

    response = accountant.post(
        PROOF_URL,
        {"slot": "id_front", "proof-id_front-file": upload(data, "身份证.pdf", "application/pdf")},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    document = Document.objects.get(owner=accountant.owner)
    stored = bucket_objects()
    assert list(stored) == [document.file.name]
    assert hashlib.sha256(stored[document.file.name]).hexdigest() == document.sha256
    assert document.size == len(stored[document.file.name])


def test_the_owner_downloads_the_stored_bytes_through_the_checked_view(s3, accountant, client):
    document = store_upload(owner=accountant.owner, uploaded_file=upload(corpus.jpeg()), slot="id_front")

    response = accountant.get(reverse("documents:view", args=[document.pk]))

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"


def test_somebody_else_gets_404_from_s3_too(s3, accountant, client):
    document = store_upload(owner=accountant.owner, uploaded_file=upload(corpus.jpeg()), slot="id_front")
    client.force_login(OwnerFactory())

    assert client.get(reverse("documents:view", args=[document.pk])).status_code == 404


def test_a_row_whose_object_is_gone_answers_404_not_503(s3, accountant):
    document = store_upload(owner=accountant.owner, uploaded_file=upload(corpus.jpeg()), slot="id_front")
    default_storage.delete(document.file.name)

    assert accountant.get(reverse("documents:view", args=[document.pk])).status_code == 404


def test_a_failure_writing_the_row_deletes_the_object_again(s3, monkeypatch):
    owner = OwnerFactory()

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document, "save", broken_save)

    with pytest.raises(RuntimeError):
        store_upload(owner=owner, uploaded_file=upload(corpus.jpeg()), slot="id_front")

    assert bucket_objects() == {}


def test_storage_check_creates_the_bucket_and_round_trips_a_probe(settings, monkeypatch):
    with mock_aws():
        settings.STORAGES = s3_storages(monkeypatch)
        out = StringIO()

        call_command("storage_check", "--create-bucket", stdout=out)

        assert f"created the bucket '{BUCKET}'" in out.getvalue()
        assert "storage OK" in out.getvalue()
        assert bucket_objects() == {}  # the probe was deleted
