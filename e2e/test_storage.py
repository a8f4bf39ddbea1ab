"""The file storage down, in Chromium: the upload box shows why (503 swapped in), the form keeps its input."""

import pytest

from documents.models import Document
from documents.tests import corpus

from .test_documents import signed_in_page, write  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("documents.tests.harness_urls")]


def test_a_proof_upload_while_the_storage_is_down_explains_it_in_the_box(signed_in_page, tmp_path, settings):  # noqa: F811
    page = signed_in_page
    page.get_by_test_id("typed-field").fill("张三")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")

    with page.expect_response(lambda response: "/proof/" in response.url) as answer:
        page.set_input_files("#id_proof-diploma\\:1-file", write(tmp_path, "毕业证.pdf", corpus.pdf()))

    assert answer.value.status == 503
    page.get_by_test_id("proof-error").wait_for()
    assert "文件存储服务暂时不可用，此文件未保存" in page.get_by_test_id("proof-error").inner_text()
    assert page.get_by_test_id("typed-field").input_value() == "张三"
    assert not Document.objects.exists()
    assert page.csp_violations == []
