"""The shop's own pages (delivery and returns, contact, privacy, terms), edited by staff."""

from django.db import models
from django.urls import reverse


class Page(models.Model):
    """A text page in both languages (title and body per language: shop/translation.py).

    The body is plain text: a blank line starts a paragraph. No HTML, so an edit in the
    admin cannot put markup or script on a storefront page.
    """

    slug = models.SlugField(max_length=60, unique=True,
                            help_text="The page's address: /pages/<slug>/.")
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("page", kwargs={"slug": self.slug})
