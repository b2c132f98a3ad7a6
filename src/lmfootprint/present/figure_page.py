"""The standalone page of one figure: the Vega bundle and the spec inlined, every string safe.

Altair's inline template writes the spec with ``json.dumps``, which leaves ``</script>`` as
it is: a model or scenario name holding it would close the script element and run whatever
follows. Here the spec is written as jinja2's ``tojson`` writes it in the report (``<``, ``>``,
``&`` and ``'`` as ``\\u003c``...), and the page carries the report's Content-Security-Policy.
"""

from __future__ import annotations

import json
from typing import Any

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import escape

from lmfootprint.present.page_policy import CSP_META

PAGE = jinja2.Template(
    """\
<!DOCTYPE html>
<html>
<head>
  <meta charset="UTF-8">
  {{ csp_meta }}
  <title>{{ title }}</title>
  <style>
    #{{ output_div }}.vega-embed {
      width: 100%;
      display: flex;
    }

    #{{ output_div }}.vega-embed details,
    #{{ output_div }}.vega-embed details summary {
      position: relative;
    }
  </style>
  <script type="text/javascript">
    // vega-embed.js bundle with Vega-Lite version v{{ vegalite_version }}
    {{ vegaembed_script }}
  </script>
</head>
<body>
<div class="vega-visualization" id="{{ output_div }}"></div>
<script type="text/javascript">
  const spec = {{ spec }};
  const embedOpt = {{ embed_options }};
  vegaEmbed('#{{ output_div }}', spec, embedOpt).catch(console.error);
</script>
</body>
</html>
""",
    autoescape=False,  # each field below is escaped for where it goes
)


def _title(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    return str(text or "lmfootprint figure")


class InlineTemplate:
    """A template for ``chart.save(..., format="html", template=InlineTemplate(js))``: Altair
    hands it the spec as JSON text, and the bundle is read once (not rebuilt per page)."""

    def __init__(self, script: str) -> None:
        self.script = script

    def render(self, **fields: Any) -> str:
        spec = json.loads(fields["spec"])
        return PAGE.render(
            csp_meta=CSP_META,
            title=escape(_title(spec)),
            output_div=escape(fields.get("output_div", "vis")),
            vegalite_version=escape(fields.get("vegalite_version", "")),
            vegaembed_script=self.script,
            spec=htmlsafe_json_dumps(spec),
            embed_options=htmlsafe_json_dumps(json.loads(fields.get("embed_options") or "{}")),
        )
