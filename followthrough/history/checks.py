from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def log_signing_key(app_configs, **kwargs):
    if getattr(settings, "FT_LOG_SIGNING_KEY", ""):
        return []
    return [Warning(
        "FT_LOG_SIGNING_KEY is not set, so the event log's head is not signed: someone who can "
        "write the database could rewrite the log and recompute its chain without `verify` noticing.",
        hint="Set FT_LOG_SIGNING_KEY to a long random value kept outside the database.",
        id="followthrough.W001",
    )]
