from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "concord.roster"
    label = "roster"
    verbose_name = "Roster"
