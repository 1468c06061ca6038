"""The new-goal step lists each missed task once, at its latest miss, and "Trim this"
suggests a smaller action and half the minutes, not the same words again."""

from django.urls import reverse

from followthrough.engine.services import engagement_refresh
from followthrough.protocol.services import intervention_open, trimmed_wording_suggestion


def open_intervention(story, coach, engagement):
    story.held([], new=["Email five wedding planners"], minutes=60)
    for _ in range(3):
        story.held(["missed"], new=["Email five wedding planners"], minutes=60)
    engagement_refresh(engagement=engagement)
    return intervention_open(engagement=engagement, by=coach.user, trigger="nonproductive")


def test_a_task_missed_at_three_reviews_is_listed_once(story, client, coach, engagement):
    intervention = open_intervention(story, coach, engagement)
    client.force_login(coach.user)
    page = client.get(reverse("protocol:intervention", args=[intervention.uid]))
    missed = page.context["forms"]["missed"]
    assert [c.description for c in missed] == ["Email five wedding planners"]
    assert max(c.due_on for c in engagement.commitments.filter(outcome="missed")) == missed[0].due_on
    assert page.content.decode().count("Reinstate this") == 1


def test_trim_prefills_a_smaller_wording_and_half_the_minutes(story, client, coach, engagement):
    intervention = open_intervention(story, coach, engagement)
    client.force_login(coach.user)
    source = engagement.commitments.filter(outcome="missed").order_by("-due_on").first()
    page = client.get(reverse("protocol:intervention", args=[intervention.uid]),
                      {"source": str(source.uid), "mode": "trim"})
    form = page.context["forms"]["new_goal"]
    assert form.initial["description"] == "Email two of the five wedding planners"
    assert form.initial["minutes_needed"] == 30


def test_a_wording_without_a_count_is_trimmed_to_its_first_stretch_of_time():
    assert trimmed_wording_suggestion("Tidy the garage", 60) == "The first 30 minutes of: Tidy the garage"
    assert trimmed_wording_suggestion("Call 3 former clients") == "Call 1 of the 3 former clients"
    assert trimmed_wording_suggestion("Call three former clients") == "Call one of the three former clients"
