"""The app's Jinja environment: a template's constant strings are translated when it compiles.

A console page says a few hundred `_("…")`; looked up at every render (`i18n.template_gettext`)
they doubled the render time of the queue and ticket pages. A template loaded by name during a
request is compiled for the page's language instead, and kept per (name, language):

- `_("text")` / `gettext("text")` becomes the catalog's text, marked safe when autoescaping (a
  `%%` already formatted), which Jinja writes into the page as static text;
- `_("text %(name)s", name=value)` becomes that text `% {"name": value}`: the value escaped when
  autoescaping, the catalog's text not, exactly as `template_gettext` formats it.

The language and catalog are the ones `template_gettext` would use at render
(`i18n.template_translations`), so `force_locale` is followed. Left to `template_gettext` at
render: any other call (a variable, `**values`, `ngettext`, whose form depends on the count),
calls within a scope where the template names `_` or `gettext` itself (a `{% set %}`, loop
variable, macro argument or import), templates compiled from a string (`from_string`), and
templates loaded outside a request. A variable named `_` handed to an included template through
its context is not seen: do not name a variable `_` around an `{% include %}`.
"""

from __future__ import annotations

import weakref
from contextvars import ContextVar
from typing import Any

from babel.support import NullTranslations
from flask.templating import Environment
from jinja2 import nodes
from jinja2.utils import internalcode
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from supportdesk import i18n

# The names of `i18n.template_gettext` in templates.
GETTEXT = frozenset({"_", "gettext"})
# Nodes whose assignments stay inside them (Jinja's scoping rules).
SCOPES = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.With, nodes.Block)
# Jinja's default cache size (400 templates), for each language.
CACHE_SIZE = 400 * len(i18n.LANGUAGES)

# The catalog the template being loaded is compiled with (None: compiled as written).
_compiling_for: ContextVar[NullTranslations | None] = ContextVar("compiling_for", default=None)


class TemplateEnvironment(Environment):
    """Flask's environment, compiling and caching a template once per language."""

    def __init__(self, app, **options: Any) -> None:
        options.setdefault("cache_size", CACHE_SIZE)
        super().__init__(app, **options)

    @internalcode
    def _load_template(self, name: str, globals: Any) -> Any:
        # Jinja's own (3.1), with the language in the cache key and set for the compile step.
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        language = i18n.template_translations()
        cache_key = (weakref.ref(self.loader), name, language and language[0])
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        token = _compiling_for.set(language and language[1])
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling_for.reset(token)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        translations = _compiling_for.get()
        if translations is not None:
            translate_constants(template, translations)
        return template


def translate_constants(template: nodes.Template, translations: NullTranslations) -> None:
    """Replace the template's constant `_()`/`gettext()` calls by their text (module docstring)."""
    shadowed = _shadowing_scopes(template)
    if id(template) not in shadowed:
        _Translator(translations, shadowed).visit(template)


class _Translator(NodeTransformer):
    def __init__(self, translations: NullTranslations, shadowed: set[int]) -> None:
        self.translations = translations
        self.shadowed = shadowed

    def generic_visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> nodes.Node:
        if id(node) in self.shadowed:
            return node
        return super().generic_visit(node, *args, **kwargs)

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)  # a value may be a `_()` itself
        if not (
            isinstance(node.node, nodes.Name)
            and node.node.name in GETTEXT
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = self.translations.ugettext(node.args[0].value)
        if node.kwargs:
            values = [nodes.Pair(nodes.Const(k.key), k.value, lineno=k.lineno) for k in node.kwargs]
            result = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), nodes.Dict(values))
        elif "%" in text:
            formatted = _formatted(text)
            if formatted is None:
                return node  # as it fails at render today
            result = nodes.MarkSafeIfAutoescape(nodes.Const(formatted))
        else:
            result = nodes.MarkSafeIfAutoescape(nodes.Const(text))
        result.set_lineno(node.lineno)
        result.set_environment(node.environment)
        return result


def _formatted(text: str) -> str | None:
    # `text % {}` as `template_gettext` gives it, with or without autoescaping; None when that
    # fails or the two differ (then the call is left to run at render).
    try:
        plain = text % {}
        marked = Markup(text) % {}  # noqa: S704  (the catalog's text)
    except (KeyError, TypeError, ValueError):
        return None
    return plain if plain == str(marked) else None


def _shadowing_scopes(template: nodes.Template) -> set[int]:
    """The ids of the innermost scopes (or the template) in which `_`/`gettext` is assigned."""
    found: set[int] = set()

    def walk(node: nodes.Node, scope: nodes.Node) -> None:
        if isinstance(node, SCOPES):
            scope = node
        if _names_gettext(node):
            found.add(id(scope))
        for child in node.iter_child_nodes():
            walk(child, scope)

    walk(template, template)
    return found


def _names_gettext(node: nodes.Node) -> bool:
    if isinstance(node, nodes.Name):
        return node.ctx in ("store", "param") and node.name in GETTEXT
    if isinstance(node, nodes.Import):
        return node.target in GETTEXT
    if isinstance(node, nodes.FromImport):
        return any((n[1] if isinstance(n, tuple) else n) in GETTEXT for n in node.names)
    return False
