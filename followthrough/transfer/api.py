"""The API of data in and out: import a spreadsheet, export a client, take on a hand-off."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile

from followthrough.clients.models import Client
from followthrough.ui.api import ErrorsOut, Status, api_coach, created, load

from . import exporting
from .erasure import client_erase, due_for_erasure
from .handoff import HandoffFailed, handoff_import
from .rows import template_csv
from .schemas import ErasureDueOut, ErasureIn, ErasureOut, HandoffOut, ImportErrorsOut, ImportOut
from .writing import ImportFailed, import_file

router = Router(tags=["import and export"])


@router.get("/imports/template.csv", summary="The import template (CSV header and an example row)")
def import_template(request):
    api_coach(request)
    return HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")


@router.post("/imports", response={200: ImportOut, 422: ImportErrorsOut},
             summary="Import a spreadsheet (CSV or XLSX); dry_run only checks it")
def import_spreadsheet(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """All or nothing: any problem imports nothing and is listed by row and column, in
    `problems` and in `errors` keyed `row <n>.<column>`."""
    coach = api_coach(request)
    try:
        report = import_file(file, filename=file.name, practice=coach.practice, coach=coach, by=request.user,
                             dry_run=dry_run)
    except ImportFailed as exc:
        errors = {}
        for p in exc.problems:
            errors.setdefault(f"row {p.row}.{p.column}" if p.column else f"row {p.row}", []).append(p.message)
        body = {"errors": errors, "problems": [p.as_dict() for p in exc.problems]}
        return Status(422, body) if Status is not None else (422, body)
    return {"dry_run": dry_run, "clients": report.clients, "meetings": report.meetings,
            "commitments": report.commitments, "ignored_columns": report.ignored_columns}


@router.get("/clients/{uid}/export", summary="One client's export (ZIP: export.json and PDFs)")
def client_export(request, uid: str):
    client = load(request, Client, uid)
    data = exporting.client_zip(client, audience=exporting.COACH, by=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="followthrough-{client.uid}.zip"'
    return response


@router.post("/handoffs", response={201: HandoffOut, 422: ErrorsOut},  # 422 from the service error handler
             summary="Take on a client from another installation's export (ZIP or JSON)")
def handoff(request, file: File[UploadedFile]):
    coach = api_coach(request)
    try:
        client = handoff_import(file, coach=coach, by=request.user)
    except HandoffFailed as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return created({"uid": str(client.uid), "full_name": client.full_name})


def _admin(request):
    coach = api_coach(request)
    if not coach.is_practice_admin:
        raise Http404("No such record")
    return coach


@router.get("/erasure/due", response=list[ErasureDueOut],
            summary="Clients past the retention period (FT_RECORD_RETENTION_YEARS), offered for erasure (admins)")
def erasure_due(request):
    admin = _admin(request)
    return [{"uid": str(c.uid), "full_name": c.full_name, "last_ended_on": c.last_ended.isoformat()}
            for c in due_for_erasure(admin.practice)]


@router.post("/clients/{uid}/erasure", response={200: ErasureOut, 422: ErrorsOut},
             summary="Erase a client's personal data (GDPR Art. 17); admins only, reason required, cannot be undone")
def client_erasure(request, uid: str, payload: ErasureIn):
    admin = _admin(request)
    client = Client.objects.filter(practice=admin.practice, uid=uid).first() if _is_uid(uid) else None
    if client is None:
        raise Http404("No such record")
    if not payload.confirmed:
        raise ValidationError({"confirmed": ["Confirm the erasure: it cannot be undone."]})
    scrubbed = client_erase(client=client, reason=payload.reason, by=request.user)
    return {"uid": str(client.uid), "erased": True, "records_scrubbed": scrubbed}


def _is_uid(text):
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
