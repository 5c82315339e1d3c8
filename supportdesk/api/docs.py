"""The OpenAPI document and a readable docs page rendered from it (public, no token needed)."""

from __future__ import annotations

import json
import re

from flask import jsonify, render_template
from markupsafe import Markup, escape

from supportdesk.api import bp
from supportdesk.api.openapi import openapi_document


@bp.get("/openapi.json")
def openapi_document_view():
    """The OpenAPI 3.1 document."""
    return jsonify(openapi_document())


@bp.get("/docs")
def docs_page():
    """Every endpoint with its parameters, bodies, answers and examples, then every schema."""
    doc = openapi_document()
    return render_template(
        "api/docs.html", doc=doc, pretty=_pretty, ref_name=_ref_name, prose=_prose
    )


def _prose(text: str | None) -> Markup:
    """Escaped text with `backticked` words set as code and **starred** ones in bold."""
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or "")))
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", html)
    return Markup(html)  # noqa: S704  (built from escaped text)


def _pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _ref_name(schema: dict | None) -> str:
    """'Ticket' for {'$ref': '#/components/schemas/Ticket'}; a short type description otherwise."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_ref_name(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {_ref_name(schema.get('items'))}"
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    return str(schema.get("type", "any"))
