"""What makes an address one the shop can deliver to: the one set of rules for every entry point.

The address book (model, form, API) and an order's inline address (checkout page, order
API) check through `address_normalise`, so "X" as a recipient, "abc" as a Chinese postcode
or "ZZ" as a country is refused the same way everywhere, with a field error.

- country: an ISO 3166-1 alpha-2 code that exists (django-countries' list); stored upper-case.
- postcode: the country's pattern where the table below has one (six digits in China),
  else 2–10 letters or digits with at least one digit (spaces, dashes between); stored
  upper-case.
- province: optional. For China one of the 34 province-level divisions, given in English
  or Chinese, with or without 省/市/自治区 ("上海", "上海市", "shanghai" all become
  "Shanghai"); the English name is stored, the pages show the shopper's language.
- name: at least two characters.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

NAME_MIN_LENGTH = 2
# The fields address_normalise checks (the phone has its own validator on the model).
CHECKED_FIELDS = ("name", "province", "postcode", "country")

# Postcode formats of the countries the shop ships to most; others get POSTCODE_OTHER.
POSTCODE_PATTERNS = {
    "CN": (r"\d{6}", _("A postcode in China has six digits, e.g. 200001.")),
    "TW": (r"\d{3}(\d{2,3})?", _("A postcode in Taiwan has 3, 5 or 6 digits.")),
    "SG": (r"\d{6}", _("A postcode in Singapore has six digits.")),
    "JP": (r"\d{3}-?\d{4}", _("A postcode in Japan looks like 100-0001.")),
    "KR": (r"\d{5}", _("A postcode in South Korea has five digits.")),
    "US": (r"\d{5}(-\d{4})?", _("A ZIP code has five digits, e.g. 94105.")),
    "DE": (r"\d{5}", _("A postcode in Germany has five digits.")),
    "FR": (r"\d{5}", _("A postcode in France has five digits.")),
    "AU": (r"\d{4}", _("A postcode in Australia has four digits.")),
    "CA": (r"[A-Z]\d[A-Z] ?\d[A-Z]\d", _("A postal code in Canada looks like K1A 0B1.")),
    "GB": (r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", _("A postcode in the UK looks like SW1A 1AA.")),
}
# Every country's postcodes have digits: "ABC" is a word, not a postcode.
POSTCODE_OTHER = (r"(?=(?:[ -]*[A-Z0-9]){2,10}[ -]*$)(?=.*\d)[A-Z0-9][A-Z0-9 -]*",
                  _("Enter a postcode: 2 to 10 letters or digits, at least one digit "
                    "(spaces and dashes allowed)."))

# China's 34 province-level divisions: the English name (stored) and the Chinese one.
PROVINCES = [
    ("Beijing", "北京"), ("Tianjin", "天津"), ("Hebei", "河北"), ("Shanxi", "山西"),
    ("Inner Mongolia", "内蒙古"), ("Liaoning", "辽宁"), ("Jilin", "吉林"),
    ("Heilongjiang", "黑龙江"), ("Shanghai", "上海"), ("Jiangsu", "江苏"), ("Zhejiang", "浙江"),
    ("Anhui", "安徽"), ("Fujian", "福建"), ("Jiangxi", "江西"), ("Shandong", "山东"),
    ("Henan", "河南"), ("Hubei", "湖北"), ("Hunan", "湖南"), ("Guangdong", "广东"),
    ("Guangxi", "广西"), ("Hainan", "海南"), ("Chongqing", "重庆"), ("Sichuan", "四川"),
    ("Guizhou", "贵州"), ("Yunnan", "云南"), ("Tibet", "西藏"), ("Shaanxi", "陕西"),
    ("Gansu", "甘肃"), ("Qinghai", "青海"), ("Ningxia", "宁夏"), ("Xinjiang", "新疆"),
    ("Taiwan", "台湾"), ("Hong Kong", "香港"), ("Macao", "澳门"),
]
# Other spellings seen on addresses, folded like the names (see _fold).
PROVINCE_ALIASES = {"xizang": "Tibet", "macau": "Macao", "neimongol": "Inner Mongolia",
                    "neimenggu": "Inner Mongolia", "hongkongsar": "Hong Kong"}
# The official suffixes: 省, 市, 自治区 (with the people named), 特别行政区; Province, …
_ZH_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
_EN_SUFFIX = re.compile(r"(province|municipality|autonomousregion|specialadministrativeregion"
                        r"|sar|shi|sheng)$")


def _fold(text: str) -> str:
    """Return `text` lower-cased, without spaces, dashes, dots and the divisions' suffixes."""
    text = re.sub(r"[\s\-.'’]", "", text.lower())
    text = _ZH_SUFFIX.sub("", text)
    return _EN_SUFFIX.sub("", text) or text


_PROVINCE_BY_NAME = {
    **{_fold(english): english for english, _ in PROVINCES},
    **{_fold(chinese): english for english, chinese in PROVINCES},
    **PROVINCE_ALIASES,
}


def province_normalise(value: str) -> str | None:
    """Return the stored (English) name of a Chinese province given in either language, or None."""
    return _PROVINCE_BY_NAME.get(_fold(value or ""))


def province_label(english: str, language: str | None = None) -> str:
    """Return a stored province name as the `language` (active language) writes it."""
    if (language or get_language() or "").startswith("zh"):
        return dict(PROVINCES).get(english, english)
    return english


def province_choices(language: str | None = None) -> list[str]:
    """Return the 34 province names in `language` (the active one), for a datalist."""
    return [province_label(english, language) for english, _ in PROVINCES]


def validate_country(value: str) -> None:
    """Refuse a code that is not an ISO 3166-1 alpha-2 country (any letter case)."""
    if (value or "").strip().upper() not in countries:
        raise ValidationError(_("Choose a country from the list (an ISO code such as CN)."),
                              code="invalid_country")


def address_normalise(data: Mapping) -> dict:
    """Return name, province, postcode and country of `data` checked and normalised.

    Only the fields present in `data` are checked (a partial update checks what it
    changes, with the country it ends up with). Raise ValidationError({field: [message]}).
    """
    errors: dict[str, list] = {}
    cleaned: dict[str, str] = {}
    country = str(data.get("country") or "").strip().upper()
    if "country" in data:
        try:
            validate_country(country)
            cleaned["country"] = country
        except ValidationError as exc:
            errors["country"] = exc.messages
    if "name" in data:
        name = str(data.get("name") or "").strip()
        if len(name) < NAME_MIN_LENGTH:
            errors["name"] = [_("Enter the recipient's full name (at least two characters).")]
        cleaned["name"] = name
    if "postcode" in data:
        postcode = re.sub(r"\s+", " ", str(data.get("postcode") or "").strip().upper())
        pattern, message = POSTCODE_PATTERNS.get(country, POSTCODE_OTHER)
        if not re.fullmatch(pattern, postcode):
            errors["postcode"] = [message]
        cleaned["postcode"] = postcode
    if "province" in data:
        province = str(data.get("province") or "").strip()
        if province and country == "CN":
            known = province_normalise(province)
            if known is None:
                errors["province"] = [_("Choose a province of China from the list.")]
            province = known or province
        cleaned["province"] = province
    if errors:
        raise ValidationError(errors)
    return cleaned
