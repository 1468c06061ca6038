from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from followthrough.accounts import two_factor


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def turn_on(user):
    """A confirmed authenticator for `user`; returns (device, recovery codes)."""
    device = two_factor.totp_pending_device(user)
    codes = two_factor.totp_confirm(user=user, code=code_for(device))
    return TOTPDevice.objects.get(pk=device.pk), codes
