"""The second factor: TOTP from an authenticator app, with single-use recovery codes.

Devices are django-otp's (TOTP for the app, static tokens for the recovery codes). What
the session knows is one state, set when someone signs in and after they type a code:

- `verified`: a code was typed in this session;
- `pending`: the account has an authenticator and no code was typed yet;
- `setup`: the practice requires a second factor and the coach has none yet;
- `open`: no second factor is set up or asked for;
- `client`: a client's portal sign-in (links and passwords; no second factor).

Pending and setup sessions reach nothing but the pages that finish signing in
(accounts.middleware.session_guard).
"""

import base64

import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from followthrough.access import client_of, coach_of
from followthrough.history import clock
from followthrough.history.services import tracked_create, tracked_update

from .models import AccountSecurity, PracticeSecurity

VERIFIED, PENDING, SETUP, OPEN, CLIENT = "verified", "pending", "setup", "open", "client"
SESSION_STATE = "ft_2fa"
SESSION_CHECKED = "ft_2fa_checked"
RECOVERY_CODES = 10
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def practice_requires(practice):
    return PracticeSecurity.objects.filter(practice=practice, require_two_factor=True).exists()


def requirement_applies(user):
    """One query: does the practice of this (active) coach now require a second factor?"""
    return PracticeSecurity.objects.filter(require_two_factor=True, practice__coaches__user=user,
                                           practice__coaches__is_active=True).exists()


def has_second_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_for(user):
    """What a fresh sign-in of `user` still owes (see the module's docstring)."""
    coach = coach_of(user)
    if coach is None and not user.is_staff and client_of(user) is not None:
        return CLIENT
    if has_second_factor(user):
        return PENDING
    if coach is not None and practice_requires(coach.practice):
        return SETUP
    return OPEN


def mark(request, state):
    request.session[SESSION_STATE] = state
    request.session[SESSION_CHECKED] = clock.now().timestamp()


def session_state(request):
    return request.session.get(SESSION_STATE)


def code_matches(user, code):
    """The device that accepts `code` (an app code or an unused recovery code), or None.

    A recovery code is used up by matching it; an app code cannot be replayed, because
    django-otp remembers the last time step it accepted.
    """
    code = "".join((code or "").split()).lower()
    if not code or len(code) > 16:
        return None
    return match_token(user, code)


def waiting_after_wrong_codes(user):
    """django-otp makes each wrong code wait longer before the next is even tried (1 s, 2 s,
    4 s…); from the third a person typing can run into it, so the page says so."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device is not None and device.throttling_failure_count >= 3 and not device.verify_is_allowed()[0]


def totp_pending_device(user):
    """The authenticator being set up: made once, kept unconfirmed until a code proves it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device):
    """The key in the base32 form authenticator apps accept when typed by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_svg(device):
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _security(user):
    found = AccountSecurity.objects.select_for_update().filter(user=user).first()
    if found is None:
        found = tracked_create(AccountSecurity(user=user), by=user, action="account_security.created")
    return found


@transaction.atomic
def totp_confirm(*, user, code):
    """Turn the pending authenticator on once it produced a right code; returns the new
    recovery codes, which exist in this return value and the database only."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise ValidationError({"code": "Start again: open this page to get a new key for your app."})
    if not device.verify_token("".join((code or "").split())):
        raise ValidationError({"code": "That code is not right. Type the six digits your app shows "
                                       "now for Followthrough; they change every 30 seconds."})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    tracked_update(_security(user), by=user, action="two_factor.turned_on",
                   changes={"two_factor_since": clock.now()})
    return recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user):
    """Replace every recovery code with a new set; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    tracked_update(_security(user), by=user, action="two_factor.recovery_codes_made",
                   changes={"recovery_codes_made_at": clock.now()})
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


@transaction.atomic
def two_factor_off(*, user, code):
    """Turn the second factor off, proven with a current code; refused where the practice requires it."""
    coach = coach_of(user)
    if coach is not None and practice_requires(coach.practice):
        raise ValidationError("Your practice requires a second factor, so it cannot be turned off.")
    if code_matches(user, code) is None:
        raise ValidationError({"code": "That code is not right; type the one your app shows now, or a recovery code."})
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    tracked_update(_security(user), by=user, action="two_factor.turned_off", changes={"two_factor_since": None})


@transaction.atomic
def practice_require_two_factor(*, practice, required, by):
    rules = PracticeSecurity.objects.select_for_update().filter(practice=practice).first()
    if rules is None:
        return tracked_create(PracticeSecurity(practice=practice, require_two_factor=required), by=by,
                              action="practice_security.created")
    return tracked_update(rules, by=by, action="practice_security.updated", changes={"require_two_factor": required})
