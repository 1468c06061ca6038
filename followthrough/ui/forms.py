"""Form pieces every page shares, and the one way a service's refusal lands on a form."""

import zoneinfo
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django import forms
from django.core.exceptions import ValidationError


class DayField(forms.DateField):
    """A date; one that is not on the calendar (31 April) is refused quoting what was
    typed, since a date input cannot show it back."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(f"“{value}” is not a date on the calendar; give it as year-month-day, "
                                  "e.g. 2026-04-30.", code="invalid") from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def split_datetime_field(label, *, required=True, help_text=""):
    """A date input and a time input read in the active time zone (the practice's)."""
    return forms.SplitDateTimeField(
        label=label, required=required, help_text=help_text,
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"}, time_attrs={"type": "time"},
            date_format="%Y-%m-%d", time_format="%H:%M",
        ),
        error_messages={"required": "Enter both the date and the time.",
                        "incomplete": "Enter both the date and the time."},
    )


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class FractionField(forms.Field):
    """A share of a task done, typed as 0.5, 50% or 1/2, kept to two decimals."""

    default_error_messages = {
        "invalid": "Enter the share done as a number such as 0.5, 50% or 1/2.",
        "range": "The share done must be between 0.01 and 0.99; use kept or missed otherwise.",
    }
    widget = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "e.g. 0.5 or 50%",
                                    "autocomplete": "off"})

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if text in (None, ""):
            return None
        if isinstance(text, Decimal):
            return text
        try:
            if text.endswith("%"):
                number = Decimal(text[:-1].strip()) / 100
            elif "/" in text:
                number = Decimal(Fraction(text).numerator) / Decimal(Fraction(text).denominator)
            else:
                number = Decimal(text.replace(",", "."))
        except (InvalidOperation, ValueError, ZeroDivisionError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        number = number.quantize(Decimal("0.01"))
        if not Decimal("0.01") <= number <= Decimal("0.99"):
            raise ValidationError(self.error_messages["range"], code="range")
        return number


def apply_service_errors(form, exc, field_map=None):
    """Put a service's ValidationError onto the form fields it names.

    Services key their messages by model field; `field_map` renames the keys whose form
    field is called differently. Anything that names no field of the form goes to the top
    of the form, so no message is ever dropped.
    """
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        name = field_map.get(key, key)
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, [message for error in errors for message in error.messages])


def posted(request):
    """The submitted data on POST (even when empty, so it is validated), else None."""
    return request.POST if request.method == "POST" else None
