"""The one exception the Content-Security-Policy makes: markup the app itself generated
(the follow-through chart's SVG carries a <style> of its own) gets the request's nonce."""

import re

_STYLE = re.compile(r"<style\b")
# pygal's tooltip group is hidden by a style attribute, which the CSP refuses; its stylesheet
# hides tooltips anyway, and the chart has no script to show them.
_HIDDEN_TOOLTIP = re.compile(r'\sstyle="opacity: 0"')


def nonce_styles(markup, request):
    lazy = getattr(request, "csp_nonce", None) if request is not None else None
    # str(): django-csp's lazy nonce is falsy until read, and reading it is what puts it in the header.
    nonce = str(lazy) if lazy is not None else ""
    markup = _HIDDEN_TOOLTIP.sub("", markup)
    if not nonce:
        return markup
    return _STYLE.sub(f'<style nonce="{nonce}"', markup)
