"""The reads behind the protocol pages and the API, each a fixed number of queries.

Nothing here writes. Counts of queries stay the same however many steps, letters or
interventions there are, so the pages stay quick for a busy practice (tests pin them).
"""

import statistics
from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, F, Q, Value

from followthrough.clients.models import Agreement
from followthrough.commitments.models import Commitment
from followthrough.engine.metrics import figure, thresholds_for
from followthrough.engine.models import Flag
from followthrough.meetings.models import Meeting
from followthrough.practice.models import Coach, FocusArea

from .models import STEP_ORDER, Intervention, Letter, Step
from .services import REAFFIRM_RESPONSES, current_agreement

# How many consecutive held meetings back above the threshold close an intervention as
# recovered (PRODUCT.md: M, default 2).
RECOVERY_MEETINGS = 2

# Which letter follows from which recorded step, so each step offers its own letter.
LETTER_FOR_STEP = {
    Step.REAFFIRM: (Letter.Kind.REAFFIRMATION,),
    Step.REVIEW_FILE: (Letter.Kind.FILE_REVIEW,),
    Step.NEW_GOAL: (Letter.Kind.NEW_GOAL,),
}
LETTER_FOR_OUTCOME = {
    Intervention.Outcome.PAUSED: Letter.Kind.PAUSE,
    Intervention.Outcome.ENDED: Letter.Kind.ENDING,
    Intervention.Outcome.BACK_ON_TRACK: Letter.Kind.BACK_ON_TRACK,
    Intervention.Outcome.RECOVERED: Letter.Kind.BACK_ON_TRACK,
}

# Flags name drift `focus_drift`; an intervention calls its trigger `drift`.
TRIGGER_OF_FLAG = {"nonproductive": Intervention.Trigger.NONPRODUCTIVE, "focus_drift": Intervention.Trigger.DRIFT,
                   "no_shows": Intervention.Trigger.NO_SHOWS, "alliance_drop": Intervention.Trigger.ALLIANCE_DROP}

DETAIL_LABELS = {
    "choice": "Choice", "focus_area": "Focus area", "agreement_version": "New agreement version",
    "to_coach": "Associate", "response": "Client's response", "work_request": "Asked the coach to do",
    "work_request_declined": "Request declined", "meetings_count": "Meetings reviewed",
    "reaction": "Client's reaction", "mode": "New goal", "source": "From the commitment",
    "commitments": "Commitments set", "outcome": "Outcome", "check_back_on": "Check back on",
}


def followthrough_below(coach):
    """The threshold the engine judges this coach's clients by."""
    return thresholds_for(coach).followthrough_below


def figure_of(commitments):
    """Follow-through of a set of commitments, as the engine defines it (waived and open
    ones left out); None when nothing counted."""
    value = figure((c.outcome, c.kept_fraction) for c in commitments)
    return None if value is None else float(value)


def _by_uid(queryset, uids):
    uids = [u for u in uids if u]
    return {str(obj.uid): obj for obj in queryset.filter(uid__in=uids)} if uids else {}


def evidence_of(intervention):
    """The flag's evidence, with the meetings and commitments it names loaded (2 queries)."""
    evidence = intervention.trigger_evidence or {}
    meetings = _by_uid(Meeting.objects.filter(engagement=intervention.engagement),
                       [m.get("uid") for m in evidence.get("meetings", [])])
    commitments = _by_uid(Commitment.objects.filter(engagement=intervention.engagement),
                          [c.get("uid") for c in evidence.get("commitments", [])])
    rows = []
    for item in evidence.get("meetings", []):
        meeting = meetings.get(item.get("uid"))
        made = [c for c in evidence.get("commitments", []) if c.get("meeting") == item.get("uid")]
        rows.append({
            "meeting": meeting, "starts_at": meeting.starts_at if meeting else None,
            "figure": item.get("figure"), "off_share": item.get("off_share"), "score": item.get("score"),
            "commitments": [{"commitment": commitments.get(c.get("uid")), "outcome": c.get("outcome")}
                            for c in made],
        })
    return {"rows": rows, "threshold": evidence.get("threshold"), "window": evidence.get("window"),
            "off_topics": evidence.get("off_topics"), "topics": evidence.get("topics"),
            **{key: evidence.get(key) for key in ("baseline", "earlier", "fall", "dropped", "falls_in_row",
                                                  "min_fall")}}


def drifted_focus(engagement, agreement, last=3):
    """The focus area most talked about outside the agreed one in the last held meetings:
    the likely new focus, offered first when referring. A tie goes to the area of the most
    recent meeting, never to the order the tags were saved in (2 queries)."""
    if agreement is None:
        return None
    recent = list(Meeting.objects.filter(engagement=engagement, status=Meeting.Status.HELD)
                  .order_by("-starts_at", "-pk").values_list("pk", flat=True)[:last])
    rank = {pk: index for index, pk in enumerate(recent)}  # 0 is the most recent
    tags = (Meeting.focus_areas.through.objects.filter(meeting_id__in=recent)
            .exclude(focusarea_id=agreement.primary_focus_id).values_list("meeting_id", "focusarea_id"))
    counts, latest = Counter(), {}
    for meeting_id, area_id in tags:
        counts[area_id] += 1
        latest[area_id] = min(latest.get(area_id, len(recent)), rank[meeting_id])
    if not counts:
        return None
    chosen = max(counts, key=lambda area_id: (counts[area_id], -latest[area_id]))
    return FocusArea.objects.filter(pk=chosen).first()


# Stored codes in step details, in the words the page uses.
VALUE_LABELS = {
    "response": REAFFIRM_RESPONSES,
    "outcome": {"back_on_track": "Back on track", "pause": "Pause", "end": "End", "refer": "Refer"},
    "mode": {"reinstate": "Reinstate the missed commitment", "trim": "A smaller, trimmed commitment"},
    "choice": {"amend": "Amend the agreement to the new focus", "refer": "Refer to an associate"},
}


def step_rows(steps, references=None):
    """Each recorded step with its details spelled out for people."""
    coaches, commitments, areas = references or ({}, {}, {})
    for step in steps:
        shown = []
        for key, value in (step.details or {}).items():
            if key == "to_coach":
                value = coaches.get(value, value)
            elif key == "commitments":
                value = "; ".join(str(commitments.get(uid, uid)) for uid in value)
            elif key == "source":
                value = commitments.get(value, value)
            elif key == "focus_area":
                value = areas.get(value, value)
            elif key == "work_request_declined":
                value = "yes" if value else "no"
            elif key in VALUE_LABELS:
                value = VALUE_LABELS[key].get(value, value)
            shown.append((DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()), value))
        step.shown_details = [(label, value) for label, value in shown if value not in (None, "")]
    return steps


def _step_references(steps, practice_id):
    """Coaches, commitments and focus areas named in step details (at most 3 queries)."""
    coach_uids, commitment_uids, slugs = set(), set(), set()
    for step in steps:
        details = step.details or {}
        if details.get("to_coach"):
            coach_uids.add(details["to_coach"])
        commitment_uids.update(details.get("commitments", []))
        if details.get("source"):
            commitment_uids.add(details["source"])
        if details.get("focus_area"):
            slugs.add(details["focus_area"])
    areas = dict(FocusArea.objects.filter(practice_id=practice_id, slug__in=slugs).values_list("slug", "name")) \
        if slugs else {}
    return _by_uid(Coach.objects.all(), coach_uids), _by_uid(Commitment.objects.all(), commitment_uids), areas


def intervention_page(intervention):
    """What the guided page shows, besides its forms. A fixed number of queries."""
    engagement = intervention.engagement
    steps = list(intervention.steps.select_related("by").order_by("at", "pk"))
    step_rows(steps, _step_references(steps, engagement.coach.practice_id))
    agreement = current_agreement(engagement)
    goals = list(agreement.goals.all()) if agreement else []
    recommended, reason = intervention.recommended_step()
    done = {s.step for s in steps}
    return {
        "intervention": intervention, "engagement": engagement, "client": engagement.client,
        "steps": steps, "agreement": agreement, "goals": goals,
        "evidence": evidence_of(intervention),
        "recommended": recommended, "recommended_label": Step(recommended).label if recommended else "",
        "reason": reason, "allowed": list(intervention.allowed_steps()),
        "referrals": list(intervention.referrals.select_related("to_coach", "focus_area")),
        "letters": list(intervention.letters.order_by("-created_at")),
        "file_reviews": list(intervention.file_reviews.order_by("-created_at")),
        "letter_kinds": letter_kinds(intervention, done),
        "earlier": list(engagement.interventions.exclude(pk=intervention.pk).order_by("-opened_at")),
    }


def letter_kinds(intervention, done=None):
    """The letters that follow from what the intervention recorded, as (kind, label)."""
    if done is None:
        done = set(intervention.steps.values_list("step", flat=True))
    kinds = [kind for step in STEP_ORDER if step in done for kind in LETTER_FOR_STEP.get(step, ())]
    closing = LETTER_FOR_OUTCOME.get(intervention.outcome)
    if closing:
        kinds.append(closing)
    return [(kind, Letter.Kind(kind).label) for kind in kinds]


def missed_commitments(engagement):
    """What a new goal can start from: missed or partly kept commitments, newest first,
    each task once — at its latest miss. A task missed again after being reinstated, or
    agreed again in the same words, is one task, not one per review it was missed at."""
    missed = Commitment.objects.filter(
        engagement=engagement, outcome__in=[Commitment.Outcome.MISSED, Commitment.Outcome.PARTLY_KEPT],
    ).select_related("made_at").order_by("-due_on", "-pk")
    seen_words, superseded, listed = set(), set(), []
    for commitment in missed:
        words = " ".join(commitment.description.lower().split())
        if commitment.pk not in superseded and words not in seen_words:
            listed.append(commitment)
        seen_words.add(words)
        if commitment.derivation == Commitment.Derivation.REINSTATED and commitment.derived_from_id:
            superseded.add(commitment.derived_from_id)
    return listed


def tally(commitments):
    counts = Counter(c.outcome for c in commitments)
    return {"kept": counts["kept"], "partly": counts["partly_kept"], "missed": counts["missed"],
            "waived": counts["waived"], "open": counts["open"], "figure": figure_of(commitments)}


def final_review_page(intervention):
    """The agreements and what was done over the whole intervention (fixed queries)."""
    engagement = intervention.engagement
    opened = intervention.opened_at
    agreements = list(
        Agreement.objects.filter(engagement=engagement).select_related("primary_focus")
        .prefetch_related("goals").order_by("-version")
    )
    # The version in force when the intervention opened, and every one written since.
    in_force = [a for a in agreements if a.created_at >= opened]
    before = next((a for a in agreements if a.created_at < opened), None)
    if before is not None:
        in_force.append(before)
    commitments = list(
        Commitment.objects.filter(engagement=engagement)
        .filter(Q(created_at__gte=opened) | Q(reviewed_at__gte=opened) | Q(outcome=Commitment.Outcome.OPEN))
        .select_related("made_at", "reviewed_in", "derived_from").order_by("due_on", "pk")
    )
    meetings = list(Meeting.objects.filter(engagement=engagement, starts_at__gte=opened)
                    .exclude(status=Meeting.Status.PLANNED).order_by("starts_at"))
    return {"agreements": in_force, "commitments": commitments, "totals": tally(commitments),
            "meetings": meetings,
            "meeting_counts": Counter(m.status for m in meetings)}


def referral_page(referral, coach):
    """A referral as one side sees it. The associate sees only what the client agreed to
    share, and nothing at all before the consent is recorded; the referring coach has the
    whole file already and sees the referral's progress."""
    is_associate = referral.to_coach_id == coach.pk
    data = {"referral": referral, "is_associate": is_associate, "is_referrer": not is_associate,
            "shared_agreement": None, "shared_goals": [], "shared_meetings": [], "shared_commitments": []}
    if not is_associate or not referral.has_consent:
        return data
    original = referral.from_engagement
    if referral.shares_agreement:
        agreement = current_agreement(original)
        data["shared_agreement"] = agreement
        data["shared_goals"] = list(agreement.goals.all()) if agreement else []
    if referral.shares_summaries:
        # Only what the client may see: the summary, never the coach's private notes.
        data["shared_meetings"] = list(
            Meeting.objects.filter(engagement=original).exclude(client_summary="")
            .exclude(status=Meeting.Status.PLANNED).order_by("-starts_at")
            .only("uid", "starts_at", "status", "client_summary")
        )
    if referral.shares_commitments:
        data["shared_commitments"] = list(Commitment.objects.filter(engagement=original)
                                          .order_by("-due_on", "-pk"))
    return data


def in_practice(queryset, practice_id):
    """The rows (interventions, flags) of the practice's engagements. The practice is compared
    as `practice_id + 0`: SQLite (which keeps no statistics) would otherwise walk every
    engagement of the practice to look for their few interventions; this way it reads the
    interventions and looks up each one's engagement."""
    return queryset.alias(of_practice=F("engagement__coach__practice_id") + Value(0)).filter(of_practice=practice_id)


def practice_outcomes(coach):
    """How the practice's interventions went, in three queries: aggregate counts for the
    whole practice (no client of another coach is named) and the coach's own list."""
    practice_qs = in_practice(Intervention.objects.all(), coach.practice_id)
    grouped = list(practice_qs.values("outcome", "last_step", "trigger").annotate(n=Count("pk")))
    spans = list(practice_qs.filter(closed_at__isnull=False).values_list("opened_at", "closed_at"))
    mine = list(Intervention.objects.filter(engagement__coach=coach).select_related("engagement__client")
                .order_by("-opened_at")[:50])

    by_outcome, by_trigger, recovered_after, step_outcomes = Counter(), Counter(), Counter(), defaultdict(Counter)
    back_by_signal = defaultdict(Counter)
    for row in grouped:
        if row["outcome"] in CAME_BACK:
            back_by_signal[row["trigger"]][row["last_step"] or "none"] += row["n"]
        by_outcome[row["outcome"] or "open"] += row["n"]
        by_trigger[row["trigger"]] += row["n"]
        if row["outcome"]:
            step_outcomes[row["last_step"] or "none"][row["outcome"]] += row["n"]
        if row["outcome"] == Intervention.Outcome.RECOVERED:
            recovered_after[row["last_step"] or "none"] += row["n"]
    days = [(closed - opened).total_seconds() / 86400 for opened, closed in spans]
    step_labels = {**dict(Step.choices), "none": "Before any step"}
    outcome_labels = dict(Intervention.Outcome.choices)
    return {
        "opened": sum(by_outcome.values()), "open_now": by_outcome["open"],
        "closed": sum(n for key, n in by_outcome.items() if key != "open"),
        "by_outcome": [(outcome_labels[key], by_outcome[key]) for key in Intervention.Outcome.values],
        "by_trigger": [(label, by_trigger[key]) for key, label in Intervention.Trigger.choices],
        "recovered_after": [(step_labels[key], recovered_after[key]) for key in ("none", *STEP_ORDER)
                            if recovered_after[key]],
        "step_table": [(step_labels[key], [step_outcomes[key][o] for o in Intervention.Outcome.values])
                       for key in ("none", *STEP_ORDER) if step_outcomes[key]],
        "outcome_headers": [outcome_labels[o] for o in Intervention.Outcome.values],
        "mean_days": round(statistics.fmean(days), 1) if days else None,
        "median_days": round(statistics.median(days), 1) if days else None,
        "mine": mine,
        "back_by_signal": [(label, [(step_labels[key], back_by_signal[key_][key]) for key in ("none", *STEP_ORDER)
                                    if back_by_signal[key_][key]])
                           for key_, label in SIGNALS],
        "alliance_before_nonproductive": alliance_before_nonproductive(coach.practice_id),
    }


# The signals an intervention is opened for, and the outcomes that count as the client back.
SIGNALS = [(t, Intervention.Trigger(t).label) for t in (
    Intervention.Trigger.NONPRODUCTIVE, Intervention.Trigger.DRIFT, Intervention.Trigger.NO_SHOWS,
    Intervention.Trigger.ALLIANCE_DROP)]
CAME_BACK = (Intervention.Outcome.RECOVERED, Intervention.Outcome.BACK_ON_TRACK)
# An alliance drop "came before" a nonproductive phase when its flag was raised in the same
# engagement in this many days before the nonproductive flag.
BEFORE_DAYS = 90


def alliance_before_nonproductive(practice_id, days=BEFORE_DAYS):
    """How many of the practice's nonproductive phases an alliance drop came before, and how
    many alliance drops a nonproductive phase followed, judged on their flags (1 query,
    the raise times of the two kinds only)."""
    window = timedelta(days=days)
    times = defaultdict(lambda: {Flag.Kind.NONPRODUCTIVE: [], Flag.Kind.ALLIANCE_DROP: []})
    for engagement_id, kind, raised_at in (
            in_practice(Flag.objects.filter(kind__in=[Flag.Kind.NONPRODUCTIVE, Flag.Kind.ALLIANCE_DROP]),
                        practice_id)
            .values_list("engagement_id", "kind", "raised_at")):
        times[engagement_id][kind].append(raised_at)
    counts = Counter()
    for kinds in times.values():
        phases, drops = kinds[Flag.Kind.NONPRODUCTIVE], kinds[Flag.Kind.ALLIANCE_DROP]
        counts["nonproductive"] += len(phases)
        counts["alliance_drops"] += len(drops)
        counts["preceded"] += sum(any(phase - window <= drop < phase for drop in drops) for phase in phases)
        counts["followed"] += sum(any(drop < phase <= drop + window for phase in phases) for drop in drops)
    return {"days": days, "nonproductive": counts["nonproductive"], "preceded": counts["preceded"],
            "alliance_drops": counts["alliance_drops"], "followed": counts["followed"]}


def engagement_interventions(engagement):
    return list(engagement.interventions.order_by("-opened_at"))


def _outcome_key(commitment):
    return {"partly_kept": "partly"}.get(commitment.outcome, commitment.outcome)


def file_review_rows(file_review):
    """Each chosen meeting with the commitments that were due and reviewed at it (where
    each was made beside it), so its figure is of what is listed; then those made at the
    chosen meetings that are still open. The totals count exactly what is listed (3 queries).
    """
    uids = list(file_review.meeting_uids)
    meetings = {str(m.uid): m for m in Meeting.objects.filter(uid__in=uids)}
    reviewed = defaultdict(list)
    for commitment in (Commitment.objects.filter(reviewed_in__uid__in=uids).select_related("made_at")
                       .order_by("due_on", "pk")):
        reviewed[commitment.reviewed_in_id].append(commitment)
    still_open = list(Commitment.objects.filter(made_at__uid__in=uids, outcome=Commitment.Outcome.OPEN)
                      .select_related("made_at").order_by("due_on", "pk"))
    rows, totals = [], {"kept": 0, "partly": 0, "missed": 0, "waived": 0, "open": 0}
    for uid in uids:
        meeting = meetings.get(uid)
        if meeting is None:
            continue
        commitments = reviewed.get(meeting.pk, [])
        value = figure_of(commitments) if meeting.status == Meeting.Status.HELD else None
        rows.append({"meeting": meeting, "commitments": commitments, "reviewed": commitments,
                     "figure_percent": round(value * 100) if value is not None else None})
    for commitment in [c for row in rows for c in row["commitments"]] + still_open:
        commitment.kept_fraction_percent = (int(commitment.kept_fraction * 100)
                                            if commitment.kept_fraction is not None else None)
        totals[_outcome_key(commitment)] += 1
    return {"rows": rows, "totals": totals, "still_open": still_open}


def file_review_data(file_review):
    return {"review": file_review, **file_review_rows(file_review),
            "meeting_uids": [str(uid) for uid in file_review.meeting_uids],
            "engagement": file_review.engagement, "client": file_review.engagement.client,
            "practice": file_review.engagement.coach.practice}


def commitments_of_step(intervention, step_name):
    """The commitments the latest step of a kind created, for the letter that follows it."""
    step = intervention.steps.filter(step=step_name).order_by("-at", "-pk").first()
    uids = (step.details or {}).get("commitments", []) if step else []
    return list(Commitment.objects.filter(uid__in=uids).order_by("due_on", "pk")) if uids else []
