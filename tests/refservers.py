"""Local HTTP servers on 127.0.0.1 speaking each reference source's protocol.

Azure Retail Prices (OData filter, pages linked by an absolute NextPageLink), AWS offer CSV
(5-line preamble), Eurostat (JSON-stat 2.0, sparse values, out-of-order category index, 400
error body), and plain CSV files (OWID, Google) including header variants and a BOM.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

Route = Callable[[str, dict], tuple[int, dict, bytes]]


class RefServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.fail_first: dict[str, int] = {}

    def route(self, path: str, fn: Route) -> None:
        self.routes[path] = fn

    def file(self, path: str, body: bytes, content_type: str = "text/csv") -> None:
        self.routes[path] = lambda p, q: (200, {"Content-Type": content_type, "ETag": '"v1"'}, body)

    def __enter__(self) -> RefServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                server.requests.append(self.path)
                if server.fail_first.get(parsed.path, 0) > 0:
                    server.fail_first[parsed.path] -= 1
                    status, headers, body = 429, {"Retry-After": "0"}, b"slow down"
                elif parsed.path in server.routes:
                    status, headers, body = server.routes[parsed.path](
                        parsed.path, parse_qs(parsed.query)
                    )
                else:
                    status, headers, body = 404, {}, b"not found"
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def azure_item(
    sku: str,
    price: float,
    *,
    sku_name: str = "",
    product: str = "Virtual Machines ND Series",
    region: str = "eastus",
    kind: str = "Consumption",
) -> dict:
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "location": "US East",
        "effectiveStartDate": "2025-10-01T00:00:00Z",
        "meterId": "m",
        "meterName": sku_name or sku,
        "productId": "p",
        "skuId": "p/1",
        "productName": product,
        "skuName": sku_name or sku.split("_", 1)[-1],
        "serviceName": "Virtual Machines",
        "serviceId": "s",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": kind,
        "isPrimaryMeterRegion": True,
        "armSkuName": sku,
    }


def azure_route(server: RefServer, pages: list[list[dict]]) -> Route:
    """Pages chained by an absolute NextPageLink pointing back at this server ($skip)."""

    def handle(path: str, query: dict) -> tuple[int, dict, bytes]:
        if "$filter" not in query and "$skip" not in query:
            return 400, {}, b'{"Error": "filter required"}'
        skip = int(query.get("$skip", ["0"])[0])
        page = skip // 100
        flt = query.get("$filter", [""])[0]
        wanted = re.search(r"armSkuName eq '([^']+)'", flt)
        link = ""
        if page + 1 < len(pages):
            link = f"{server.url}{path}?$filter={quote(flt)}&$skip={skip + 100}"
        items = pages[page] if page < len(pages) else []
        if wanted:  # the OData filter is honoured, as the real API does
            items = [it for it in items if it["armSkuName"] == wanted.group(1)]
        body = {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": items,
            "NextPageLink": link,
            "Count": len(items),
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    return handle
