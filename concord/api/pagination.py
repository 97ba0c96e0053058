from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from concord.core.paging import COUNT_CAP, CappedPaginator, stable


class Pagination(PageNumberPagination):
    """Page numbers, with ``count`` exact up to 1,000 (``count_exact`` says whether it is;
    ``?count=exact`` asks for the exact figure beyond the cap). See concord.core.paging."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        exact = request.query_params.get("count") == "exact"
        self.django_paginator_class = lambda *a, **kw: CappedPaginator(*a, exact=exact, **kw)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_exact"] = {
            "type": "boolean",
            "description": _(
                "False when there are more than %(cap)s (count is then "
                "the cap; ?count=exact gives the exact figure)."
            )
            % {"cap": number_format(COUNT_CAP, force_grouping=True)},
        }
        return schema


class StableOrdering(OrderingFilter):
    """``?ordering=`` with the id as the last key, so rows never move between pages."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        default = queryset.query.order_by or queryset.model._meta.ordering
        return queryset.order_by(*stable(ordering or default or ["pk"]))
