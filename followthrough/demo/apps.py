from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo practice: months of coaching written through every app's services, and
    the commands that seed and serve it. It sits on top: nothing imports it."""

    name = "followthrough.demo"
