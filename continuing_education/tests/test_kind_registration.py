from reviews.registry import allows_bulk_approve


def test_continuing_education_records_can_be_approved_several_at_once():
    assert allows_bulk_approve("continuing_education")


def test_a_collection_must_be_reviewed_one_by_one():
    assert not allows_bulk_approve("collection")
