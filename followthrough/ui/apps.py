from django.apps import AppConfig


class UiConfig(AppConfig):
    """The pieces every page shares: the gates in front of them, form fields and the way
    a service's refusal lands on a form, base templates, template filters, mail sending
    and the helpers the API's resource modules share."""

    name = "followthrough.ui"
