"""The access log through the API: who viewed which client's records, for practice admins.

Anyone else, a coach who is not the practice's admin included, gets the 404 an unknown
route gets, as the pages do."""

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema

from followthrough.history.access_log import views_in_practice
from followthrough.ui.api import api_coach

router = Router(tags=["access log"])
MAX_LIMIT = 500


class AccessOut(Schema):
    at: datetime
    actor: str
    kind: str
    client_uid: str
    object_uid: str


@router.get("/access-log", response=list[AccessOut])
def access_log(request, client: str = "", limit: int = 100):
    coach = api_coach(request)
    if not coach.is_practice_admin:
        raise Http404("No such page")
    limit = max(1, min(limit, MAX_LIMIT))
    records = views_in_practice(coach.practice_id, client_uid=client.strip() or None)[:limit]
    return [AccessOut(at=r.at, actor=r.actor_label, kind=r.kind, client_uid=r.client_uid,
                      object_uid=r.object_uid) for r in records]
