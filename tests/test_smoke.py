from followthrough.history.services import verify_chain, verify_records


def test_fixture_world_has_an_intact_history(commitment, client_user, colleague_client, outsider):
    assert verify_chain() is None
    assert verify_records() == []
