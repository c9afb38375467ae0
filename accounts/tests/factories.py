"""Factories for accounts: users (with a verified email by default) and addresses."""

import factory
from allauth.account.models import EmailAddress

from accounts.models import Address, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Mark the email verified unless `verified=False` is passed."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class StaffFactory(UserFactory):
    is_staff = True


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    name = "Li Lei"
    phone = "+86 138 0000 0000"
    line1 = factory.Sequence(lambda n: f"{n} Nanjing Road")
    city = "Shanghai"
    province = "Shanghai"
    postcode = "200001"
    country = "CN"
