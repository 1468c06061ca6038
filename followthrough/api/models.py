from django.db import models

from followthrough.history import clock


class IdempotentRequest(models.Model):
    """The first answer to an API write sent with an `Idempotency-Key`, replayed when the
    same caller sends the same key again (a retry after a reply was lost)."""

    # Whose key it is: a hash of the bearer token, or the signed-in user's session.
    caller = models.CharField(max_length=80)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_once_per_caller")]

    def __str__(self):
        return f"{self.key} ({self.status_code})"
