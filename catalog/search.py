"""Catalogue search: which products match the shopper's words, and "did you mean" when none do.

A word matches a product when it appears, as a substring and in any language, in the
product's name, description or spec values, or in the name of its category or of any
ancestor category ("tea" finds the oolong in the Tea category). Substrings because Chinese
has no spaces: "乌龙" must find "铁观音乌龙茶", which no word-splitting full-text search does.
On PostgreSQL an English full-text match (stemmed, prefix) counts too, so "phones" still
finds "Phone". Every word must match; results rank by where the words matched (name, then
category, then specs, then description).

Suggestions when nothing matched: on PostgreSQL the product and category names closest to
the query by trigram word similarity (pg_trgm, GIN trigram indexes on the name columns);
on SQLite difflib over the names of the products and categories for sale.
"""

import difflib
import re

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, connections, models, transaction
from django.db.models import Case, Exists, F, Func, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Length, Substr
from modeltranslation.utils import build_localized_fieldname

from catalog.models import Category

SEARCH_CONFIG = "english"
SUGGESTIONS = 5
# The least trigram word similarity (0..1) for a name to be offered as "did you mean"
# (PostgreSQL), and the least difflib ratio (SQLite).
SUGGEST_SIMILARITY = 0.3
SUGGEST_RATIO = 0.6
# Where a word matched, by weight: a name match ranks above a category match, and so on.
WEIGHT_NAME, WEIGHT_CATEGORY, WEIGHT_SPECS, WEIGHT_DESCRIPTION = 8, 4, 2, 1


class SpecsValues(Func):
    """The values of the `specs` object as text, so keys are not searched."""

    template = "jsonb_path_query_array(%(expressions)s, '$.*')::text"
    output_field = models.TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context, template=(
            "(SELECT group_concat(value, ' ') FROM json_each(%(expressions)s))"))


def localized(field: str) -> list[str]:
    """Return the column names of a translated field, one per language (`name_en`, …)."""
    return [build_localized_fieldname(field, code) for code, _ in settings.LANGUAGES]


def _any_contains(fields: list[str], word: str, prefix: str = "") -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{prefix}{field}__icontains": word})
    return condition


def _in_matching_category(word: str) -> Exists:
    """True when the product's category, or an ancestor of it, has `word` in its name."""
    # A materialised path starts with the path of each ancestor (as in in_inactive_branch).
    return Exists(
        Category.objects.filter(_any_contains(localized("name"), word),
                                path=Substr(OuterRef("category__path"), 1, Length("path")))
    )


def words_of(q: str) -> list[str]:
    """Return the search words of `q` (letters, digits, CJK runs; punctuation dropped)."""
    return re.findall(r"\w+", q)


def products_search(queryset: QuerySet, q: str) -> QuerySet:
    """Filter `queryset` to the products matching every word of `q`, with `rank` annotated.

    `q` without words leaves the queryset as it is (no `rank`).
    """
    words = words_of(q)
    if not words:
        return queryset
    postgres = connection.vendor == "postgresql"
    queryset = queryset.annotate(specs_text=SpecsValues("specs"))
    if postgres:
        vector = (
            SearchVector("name", weight="A", config=SEARCH_CONFIG)
            + SearchVector(SpecsValues("specs"), weight="B", config=SEARCH_CONFIG)
            + SearchVector("description", weight="C", config=SEARCH_CONFIG)
        )
        queryset = queryset.annotate(search=vector)
    names, descriptions = localized("name"), localized("description")
    rank = Value(0.0, output_field=models.FloatField())
    for word in words:
        in_name = _any_contains(names, word)
        in_category = _in_matching_category(word)
        in_specs = Q(specs_text__icontains=word)
        in_description = _any_contains(descriptions, word)
        matches = in_name | in_category | in_specs | in_description
        if postgres:
            # Raw tsquery, the word as a prefix; \w+ leaves no tsquery operators in it.
            query = SearchQuery(f"{word}:*", search_type="raw", config=SEARCH_CONFIG)
            matches |= Q(search=query)
            rank += SearchRank(F("search"), query)
        queryset = queryset.filter(matches)
        rank += Case(
            When(in_name, then=Value(float(WEIGHT_NAME))),
            When(in_category, then=Value(float(WEIGHT_CATEGORY))),
            When(in_specs, then=Value(float(WEIGHT_SPECS))),
            When(in_description, then=Value(float(WEIGHT_DESCRIPTION))),
            default=Value(0.0),
            output_field=models.FloatField(),
        )
    return queryset.annotate(rank=rank)


def search_suggestions(q: str, *, products: QuerySet) -> dict:
    """Return {"products": [...], "categories": [...]} whose names are closest to `q`.

    `products` is the queryset of products for sale (the listing's base), so a hidden
    product is never suggested. At most SUGGESTIONS of each, in a fixed number of queries
    (on SQLite reading every name for sale: the fallback of a small shop).
    """
    q = " ".join(words_of(q))[:100]
    if not q:
        return {"products": [], "categories": []}
    categories = Category.objects.filter(is_active=True)
    if connection.vendor == "postgresql":
        return {"products": _closest_by_trigram(products, q),
                "categories": _closest_by_trigram(categories, q)}
    return {"products": _closest_by_difflib(products, q),
            "categories": _closest_by_difflib(categories, q)}


def _closest_by_trigram(queryset: QuerySet, q: str) -> list:
    names = localized("name")
    # `name %> q` (word similar) is answered by the GIN trigram index on each name column
    # (catalog migration 0006); its threshold is a setting of the session, lowered for
    # this transaction only.
    close = Q()
    for field in names:
        close |= Q(**{f"{field}__trigram_word_similar": q})
    similarity = Greatest(*(TrigramWordSimilarity(q, field) for field in names))
    # On the database the query itself goes to (a replica may serve the search page).
    using = queryset.db
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                       [str(SUGGEST_SIMILARITY)])
        return list(
            queryset.filter(close)
            .annotate(similarity=similarity)
            .order_by("-similarity", "pk")[:SUGGESTIONS]
        )


def _closest_by_difflib(queryset: QuerySet, q: str) -> list:
    names = localized("name")
    rows = list(queryset.order_by("pk"))
    # Compare with the whole name and with each of its words: "wok" is close to "Cast Iron Wok".
    scored = []
    needle = q.lower()
    for row in rows:
        candidates = [text.lower() for field in names if (text := getattr(row, field))]
        candidates += [word for text in list(candidates) for word in words_of(text)]
        best = max((difflib.SequenceMatcher(None, needle, text).ratio() for text in candidates),
                   default=0)
        if best >= SUGGEST_RATIO:
            scored.append((-best, row.pk, row))
    return [row for *_, row in sorted(scored, key=lambda item: item[:2])[:SUGGESTIONS]]

