from django.dispatch import Signal

# Sent after one engagement's flags were brought up to date (after a review or a meeting's
# status change), with `engagement_id`. Apps that act on follow-through — the protocol's
# recovery check — listen here, so the engine knows nothing about them.
engagement_refreshed = Signal()
