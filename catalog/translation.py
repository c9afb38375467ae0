"""The catalogue's text in each language (django-modeltranslation; docs/catalog.md).

`name` and `description` get a column per language (`name_en`, `name_zh_hans`); reading
`product.name` gives the text of the active language, the English one when that is empty.
"""

from modeltranslation.translator import TranslationOptions, register

from catalog.models import Category, Product


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")
