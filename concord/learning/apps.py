from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "concord.learning"
    label = "learning"
    verbose_name = "Learning"
