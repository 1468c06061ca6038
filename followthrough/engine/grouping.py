"""Reading the detection statement's rows back: uids and times in their usual form, and
each condition's evidence grouped from its consecutive rows (`conditions`)."""

import uuid
from datetime import UTC, datetime


def as_uid(value):
    """A uid in its usual form: SQLite keeps 32 hex digits, PostgreSQL's text is the
    usual form already. Checked, then sliced: cheaper than a UUID object each."""
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    if len(text) == 32 and text.isascii() and text.isalnum():
        int(text, 16)
        text = text.lower()
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    if len(text) == 36 and text[8] == text[13] == text[18] == text[23] == "-" and text.isascii():
        int(text.replace("-", ""), 16)
        return text.lower()
    return str(uuid.UUID(text))


def as_datetime(value):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    # SQLite stores UTC as text; a value that does not parse is a corrupt row.
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _share(value):
    return None if value is None else round(float(value), 4)


def conditions(rows, known=frozenset()):
    """Group the detection rows into {(engagement_id, kind): (client_uid, engagement_uid, evidence)}.

    Rows come ordered by engagement, kind, meeting time, so each condition's evidence is
    built from consecutive rows and memory holds one batch at most. Conditions in `known`
    (flags already open) are only noted as present: their evidence is not needed again.
    A meeting's values are read from its first row only (the rest repeat them, one per
    commitment reviewed at it).
    """
    found = {}
    current = None  # (condition, raw meeting uid) of the meeting being read
    for (engagement_id, engagement_uid, client_uid, kind, meeting_uid, starts_at, value, off_topics,
         topics, threshold, window, baseline, earlier, commitment_uid, outcome, credit) in rows:
        key = (engagement_id, kind)
        if key in known:
            found[key] = None
            continue
        entry = found.get(key)
        if entry is None:
            evidence = {"meetings": [], "commitments": [], "window": int(window)}
            if threshold is not None:
                evidence["threshold"] = float(threshold)
            if kind == "focus_drift":
                evidence["off_topics"] = evidence["topics"] = 0
            elif kind == "alliance_drop":
                evidence["baseline"] = _score(baseline)
                evidence["earlier"] = int(earlier)
            entry = found[key] = (as_uid(client_uid), as_uid(engagement_uid), evidence)
        evidence = entry[2]
        if current != (key, meeting_uid):
            current = (key, meeting_uid)
            meeting = {"uid": as_uid(meeting_uid),
                       "starts_at": as_datetime(starts_at).astimezone(UTC).isoformat()}
            if kind == "nonproductive":
                meeting["figure"] = _share(value)
            elif kind == "focus_drift":
                meeting["off_share"] = _share(value)
                evidence["off_topics"] += int(off_topics)
                evidence["topics"] += int(topics)
            elif kind == "alliance_drop":
                meeting["score"] = _score(value)
            evidence["meetings"].append(meeting)
        if commitment_uid is not None:
            evidence["commitments"].append({
                "uid": as_uid(commitment_uid), "meeting": evidence["meetings"][-1]["uid"],
                "outcome": outcome, "credit": _share(credit),
            })
    for key, entry in found.items():
        if entry is not None and key[1] == "alliance_drop":
            _alliance_reasons(entry[2])
    return found


def _score(value):
    return None if value is None else round(float(value), 2)


def _alliance_reasons(evidence):
    """Which of the two rules the checks met: the fall against the client's own baseline,
    the falls in a row, or both (the meetings are oldest first, the newest last). A fall in
    a row counts when it is at least half the alliance-drop fall (`min_fall`), as in SQL."""
    scores = [m["score"] for m in evidence["meetings"]]
    newest, falls_n = scores[-1], evidence["window"]
    evidence["fall"] = round(evidence["baseline"] - newest, 2)
    evidence["dropped"] = evidence["fall"] >= evidence["threshold"] - 0.005
    evidence["min_fall"] = round(evidence["threshold"] / 2, 2)
    recent = scores[-(falls_n + 1):]
    evidence["falls_in_row"] = len(recent) == falls_n + 1 and all(
        later <= earlier - evidence["min_fall"] + 0.005 for earlier, later in zip(recent, recent[1:], strict=False))
