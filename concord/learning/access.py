"""Fetching one learning record for an action (absent when invisible, forbidden when visible
but not the user's to change)."""

from __future__ import annotations

from concord.core.access import VIEW, access

from .models import Lesson, LessonBody, Observation, RemedialAction


def access_observation(user, pk, action=VIEW) -> Observation:
    return access(Observation, user, pk, action)


def access_lesson(user, pk, action=VIEW) -> Lesson:
    return access(Lesson, user, pk, action)


def access_lesson_body(user, pk, action=VIEW) -> LessonBody:
    return access(LessonBody, user, pk, action)


def access_action(user, pk, action=VIEW) -> RemedialAction:
    return access(RemedialAction, user, pk, action)


def visible_body(lesson: Lesson, user) -> LessonBody | None:
    """The lesson's body, if the reader may see it (a partner may see the abstract only)."""
    return LessonBody.objects.visible_to(user).filter(lesson=lesson).first()
