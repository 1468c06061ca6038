"""`Idempotency-Key` on every API write: a retried key returns the first answer.

The write and the record of its answer are saved in one transaction, so a server that
dies before answering leaves neither (the retry does the work), and one that dies after
committing leaves both (the retry gets the same answer, nothing is written twice). A key
reused for a different request is refused.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
KEY_MAX = 200


def _caller(request):
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:64]
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


def _fingerprint(request):
    return hashlib.sha256(b"\n".join([request.method.encode(), request.get_full_path().encode(),
                                      request.body])).hexdigest()


def _refused(message, status=422):
    return JsonResponse({"errors": {HEADER: [message]}}, status=status)


def _replay(found, fingerprint):
    if found.request_hash != fingerprint:
        return _refused("This Idempotency-Key was already used for a different request; use a new key.")
    response = HttpResponse(bytes(found.body), status=found.status_code, content_type=found.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent_api_writes(get_response):
    def middleware(request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITES or not request.path.startswith("/api/"):
            return get_response(request)
        caller = _caller(request)
        if caller is None:
            return get_response(request)  # the API answers 401 on its own
        key = key.strip()
        if not key or len(key) > KEY_MAX:
            return _refused(f"Send an Idempotency-Key of 1 to {KEY_MAX} characters.")
        fingerprint = _fingerprint(request)
        found = IdempotentRequest.objects.filter(caller=caller, key=key).first()
        if found is not None:
            return _replay(found, fingerprint)
        return _first_time(request, get_response, caller, key, fingerprint)

    return middleware


def _first_time(request, get_response, caller, key, fingerprint):
    try:
        with transaction.atomic():
            response = get_response(request)
            if response.status_code >= 500 or getattr(response, "streaming", False):
                transaction.set_rollback(True)
                return response
            IdempotentRequest.objects.create(
                caller=caller, key=key, request_hash=fingerprint, status_code=response.status_code,
                content_type=response.get("Content-Type", "application/json"), body=response.content)
            return response
    except IntegrityError:
        # The same key raced in from another connection and committed first: its answer stands.
        found = IdempotentRequest.objects.filter(caller=caller, key=key).first()
        if found is None:
            raise
        return _replay(found, fingerprint)
