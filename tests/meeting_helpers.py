"""Helpers for writing meetings in tests."""


def on_focus(engagement, slug="business"):
    """The focus areas a held meeting of `engagement` was about: the practice's `slug` area."""
    return [engagement.client.practice.focus_areas.get(slug=slug)]
