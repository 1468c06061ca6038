"""The pages: a practice's import (with its template), a client's export for the coach and
for the client in the portal, and taking on a client handed off from another installation."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from followthrough.access import acting_coach, get_visible_or_404
from followthrough.clients.models import Client
from followthrough.ui.decorators import client_required, coach_required

from . import exporting
from .handoff import HandoffFailed, handoff_import
from .rows import COLUMNS, template_csv
from .writing import ImportFailed, import_file

MAX_UPLOAD = 50 * 1024 * 1024


def _zip_response(data, name):
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@coach_required
def template(request):
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="followthrough-import-template.csv"'
    return response


@coach_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    coach = acting_coach(request)
    context = {"columns": COLUMNS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = "Choose the spreadsheet to import (CSV or XLSX)."
        elif upload.size > MAX_UPLOAD:
            context["file_error"] = "The file is larger than 50 MB; split it into parts."
        else:
            dry_run = request.POST.get("action") != "import"
            try:
                report = import_file(upload, filename=upload.name, practice=coach.practice, coach=coach,
                                     by=request.user, dry_run=dry_run)
            except ImportFailed as exc:
                context.update(problems=exc.problems, filename=upload.name)
            else:
                context.update(report=report, dry_run=dry_run, filename=upload.name)
    return render(request, "transfer/import.html", context, status=422 if "problems" in context else 200)


@coach_required
@require_http_methods(["GET", "POST"])
def handoff_page(request):
    coach = acting_coach(request)
    context = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = "Choose the client's export (the ZIP or its export.json)."
        else:
            try:
                client = handoff_import(upload, coach=coach, by=request.user)
            except HandoffFailed as exc:
                context["file_error"] = str(exc)
            else:
                return redirect("client_file", uid=client.uid)
    return render(request, "transfer/handoff.html", context, status=422 if context else 200)


@coach_required
def client_export(request, uid):
    client = get_visible_or_404(Client, request.user, uid)
    data = exporting.client_zip(client, audience=exporting.COACH, by=request.user)
    return _zip_response(data, f"followthrough-{client.uid}.zip")


@coach_required
def practice_export(request):
    coach = acting_coach(request)
    if not coach.is_practice_admin:
        raise Http404("No such page")
    response = HttpResponse(content_type="application/zip")
    exporting.write_zip(response, exporting.practice_clients(coach.practice), audience=exporting.PRACTICE,
                        by=request.user, practice=coach.practice, pdfs=False)
    response["Content-Disposition"] = 'attachment; filename="followthrough-practice.zip"'
    return response


@client_required
def portal_export(request):
    data = exporting.client_zip(request.client, audience=exporting.CLIENT, by=request.user)
    return _zip_response(data, "my-followthrough-records.zip")
