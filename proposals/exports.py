"""Word downloads of the proposal work (the documents themselves are built in documents.py)."""

from __future__ import annotations

from django.http import HttpResponse

from portal.documents import file_response

from . import documents


def registered_list_docx(proposals, *, unit_name: str = "") -> HttpResponse:
    data = documents.register_bytes(proposals, unit_name=unit_name)
    return file_response(data, f"{unit_name}立案提案目录.docx" if unit_name else "立案提案目录.docx")


def reply_letter_docx(reply) -> HttpResponse:
    return file_response(documents.reply_letter_bytes(reply), documents.reply_filename(reply))


def evaluation_report_docx(rnd) -> HttpResponse:
    return file_response(documents.evaluation_bytes(rnd), f"办理评议-{rnd.title[:40]}.docx")


def bulletin_docx(bulletin) -> HttpResponse:
    return file_response(documents.bulletin_bytes(bulletin), documents.bulletin_filename(bulletin))
