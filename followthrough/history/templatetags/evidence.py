"""`{% load evidence %}{% log_head %}`: the event log's head as it stands, for a document to
carry, so whoever holds the document can later run `followthrough verify --head <value>`."""

from django import template

from .. import signing

register = template.Library()


@register.simple_tag
def log_head():
    return str(signing.current())
