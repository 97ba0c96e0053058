"""Accountability's API, one module per part (reporting, cases, funding), one style: a
``ScopedSerializer`` and a ``ScopedViewSet`` class per record, actions on the viewset."""

META = ["created_at", "updated_at"]
