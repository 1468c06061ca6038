"""Which help page each page links to from its heading, by the page's URL name.

One table for every page, read by the `help_link` tag in the base template, so no page
template carries its own link. The help pages themselves are in the web app (coaches) and
at /help/portal/ (clients).
"""

# slug -> (title, who reads it)
AREAS = {
    "caseload": ("The caseload and your to-do", "coach"),
    "client-file": ("A client's file", "coach"),
    "meetings": ("Meetings", "coach"),
    "commitments": ("Commitments and reviews", "coach"),
    "protocol": ("Flags, interventions and the protocol", "coach"),
    "outcomes": ("Outcomes", "coach"),
    "practice": ("Running the practice", "coach"),
    "data": ("Data in and out", "coach"),
    "portal": ("Help", "client"),
}

_BY_NAME = {
    "caseload": "caseload", "todo": "caseload", "protocol:notifications": "caseload",
    "coach_profile": "caseload", "calendar_coach_feeds": "caseload",
    "client_create": "client-file", "client_file": "client-file", "client_history": "client-file",
    "engagement_move": "client-file",
    "engagement_reengage": "client-file", "agreement_create": "client-file",
    "agreement_acknowledge": "client-file",
    "meeting_create": "meetings", "meeting_update": "meetings",
    "meeting_review": "commitments",
    "external_referral_create": "protocol", "flag_detail": "protocol", "thresholds": "protocol",
    "protocol:outcomes": "outcomes",
    "practice_security": "practice", "access_log": "practice",
    "transfer_import": "data", "transfer_handoff": "data", "transfer_practice_export": "data",
    "transfer_erasure_list": "data", "transfer_client_erase": "data",
    "transfer_portal_export": "portal", "calendar_client_feeds": "portal",
}
_BY_PREFIX = (("protocol:", "protocol"), ("practice_", "practice"), ("portal_", "portal"))


def help_area(view_name):
    """The help page slug for the page named `view_name`, or None for pages without one."""
    if not view_name or view_name.startswith("help"):
        return None
    if view_name in _BY_NAME:
        return _BY_NAME[view_name]
    return next((area for prefix, area in _BY_PREFIX if view_name.startswith(prefix)), None)
