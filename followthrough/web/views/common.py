"""Helpers the coach views share."""

from django.urls import reverse


def file_url(client, engagement=None, anchor=""):
    """The client file, opened on one engagement and scrolled to one record."""
    url = reverse("client_file", args=[client.uid])
    if engagement is not None:
        url += f"?engagement={engagement.uid}"
    return url + (f"#{anchor}" if anchor else "")
