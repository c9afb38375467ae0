"""The shop pages' text in each language (django-modeltranslation, as the catalogue's)."""

from modeltranslation.translator import TranslationOptions, register

from shop.models import Page


@register(Page)
class PageTranslation(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("en",)
