"""One page of a long list and its total, read together."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window


def counted_page(queryset, per_page, number, key="pk"):
    """The page `number` of `queryset`'s `key` (its primary keys unless told) as Django's
    Page (an unknown or out-of-range number gives the first or last page, as
    `Paginator.get_page` does).

    The total rides on each row as a window count, so the list's filters and sort run once
    rather than once for the count and again for the page: on a big practice that is most of
    the page's database time. Only a page past the end costs a second read.
    """
    paginator = Paginator([], per_page)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(list_total=Window(Count("*"))).values_list(key, "list_total")
    rows = list(counted[(number - 1) * per_page:number * per_page])
    total = rows[0][1] if rows else queryset.count()
    paginator.__dict__["count"] = total  # Paginator.count is a cached property: the total is known
    if not rows and total:
        number = paginator.num_pages
        rows = list(counted[(number - 1) * per_page:number * per_page])
    return Page([value for value, _ in rows], number, paginator)
