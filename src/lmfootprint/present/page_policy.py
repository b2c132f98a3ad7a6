"""What every page the workflow writes may load: its own inline code and data, nothing else.

The report and each standalone figure page carry this Content-Security-Policy, so that a
string that slipped past escaping still cannot fetch a script, send data anywhere or load a
remote image. Inline scripts hold the Vega bundle and the specs; Vega compiles its
expressions with ``Function`` (hence 'unsafe-eval'); images are the PNG exports (data: URLs).
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data:; font-src data:"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
