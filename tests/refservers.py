"""Local HTTP servers on 127.0.0.1 speaking each reference source's protocol.

Azure Retail Prices (OData filter, pages linked by an absolute NextPageLink), AWS offer CSV
(5-line preamble), Eurostat (JSON-stat 2.0, sparse values, out-of-order category index, 400
error body), and plain CSV files (OWID, Google) including header variants and a BOM; any path
can be made to stall (accept the request, never answer).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

Route = Callable[[str, dict], tuple[int, dict, bytes]]
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


class RefServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        # the next n requests to a path fail with fail_status (429 carries Retry-After)
        self.fail_first: dict[str, int] = {}
        self.fail_status = 429
        self.retry_after = "0"
        # paths whose requests are accepted and never answered (until the server closes)
        self.stalled: set[str] = set()
        self._released = threading.Event()

    def route(self, path: str, fn: Route) -> None:
        self.routes[path] = fn

    def file(self, path: str, body: bytes, content_type: str = "text/csv") -> None:
        self.routes[path] = lambda p, q: (200, {"Content-Type": content_type, "ETag": '"v1"'}, body)

    def stall(self, path: str) -> None:
        """Requests to ``path`` are read, then left unanswered: a hung source."""
        self.stalled.add(path)

    def __enter__(self) -> RefServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                server.requests.append(self.path)
                if parsed.path in server.stalled:
                    server._released.wait()
                    self.close_connection = True
                    return
                if server.fail_first.get(parsed.path, 0) > 0:
                    server.fail_first[parsed.path] -= 1
                    status, body = server.fail_status, b"slow down"
                    headers = {"Retry-After": server.retry_after} if status == 429 else {}
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
        self._released.set()
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


AWS_CSV = (
    '"FormatVersion","v1.0"\n"Disclaimer","This pricing list is for informational purposes only."\n'
    '"Publication Date","2025-09-12T22:53:08Z"\n"Version","20250912225308"\n"OfferCode","AmazonEC2"\n'  # noqa: E501
    '"SKU","OfferTermCode","RateCode","TermType","PriceDescription","EffectiveDate","StartingRange",'
    '"EndingRange","Unit","PricePerUnit","Currency","Product Family","Location","Instance Type",'
    '"Tenancy","Operating System","CapacityStatus","GPU","Pre Installed S/W","Region Code"\n'
    '"A","B","C","OnDemand","$55.04 per On Demand Linux p5.48xlarge","2025-09-01","0","Inf","Hrs",'
    '"55.04","USD","Compute Instance","US East (N. Virginia)","p5.48xlarge","Shared","Linux","Used",'  # noqa: E501
    '"8","NA","us-east-1"\n'
    '"A","B","C","OnDemand","windows","2025-09-01","0","Inf","Hrs","60.00","USD","Compute Instance",'  # noqa: E501
    '"US East (N. Virginia)","p5.48xlarge","Shared","Windows","Used","8","NA","us-east-1"\n'
    '"A","B","C","Reserved","1yr","2025-09-01","0","Inf","Hrs","30.00","USD","Compute Instance",'
    '"US East (N. Virginia)","p5.48xlarge","Shared","Linux","Used","8","NA","us-east-1"\n'
    '"A","B","C","OnDemand","cpu only","2025-09-01","0","Inf","Hrs","0.096","USD","Compute Instance",'  # noqa: E501
    '"US East (N. Virginia)","m5.large","Shared","Linux","Used","","NA","us-east-1"\n'
)


def jsonstat(geo_index: dict[str, int], values: dict[str, float]) -> dict:
    """A JSON-stat body shaped as Eurostat sends nrg_pc_204 (geo index not in request order)."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Electricity prices for household consumers",
        "source": "ESTAT",
        "updated": "2026-09-24T23:00:00+0200",
        "id": ["freq", "siec", "nrg_cons", "unit", "tax", "currency", "geo", "time"],
        "size": [1, 1, 1, 1, 3, 1, len(geo_index), 2],
        "dimension": {
            "freq": {"category": {"index": {"S": 0}}},
            "siec": {"category": {"index": {"E7000": 0}}},
            "nrg_cons": {"category": {"index": {"KWH2500-4999": 0}}},
            "unit": {"category": {"index": {"KWH": 0}}},
            "tax": {"category": {"index": {"X_TAX": 0, "X_VAT": 1, "I_TAX": 2}}},
            "currency": {"category": {"index": {"EUR": 0}}},
            "geo": {"category": {"index": geo_index}},
            "time": {"category": {"index": {"2025-S1": 0, "2025-S2": 1}}},
        },
        "value": values,
    }


# every country a cloud region in resources/carbon/cloud_regions.csv lies in
REGION_COUNTRIES = ("IRL", "GBR", "NLD", "FIN", "BEL", "JPN", "SGP", "AUS", "CAN", "IND", "BRA")


def serve_sources(srv: RefServer) -> dict[str, str]:
    """Every reference source on ``srv``, with enough rows for the configured scenarios;
    returns the endpoints (as in the config's reference.endpoints)."""
    srv.route(
        "/api/retail/prices",
        azure_route(
            srv,
            [
                [
                    azure_item("Standard_NC24ads_A100_v4", 3.673),
                    azure_item("Standard_ND96amsr_A100_v4", 32.77),
                ]
            ],
        ),
    )
    srv.file("/offers/us-east-1/index.csv", AWS_CSV.encode())
    owid = "Entity,Code,Year,Carbon intensity of electricity - gCO2/kWh\n" + "".join(
        f"{iso},{iso},2024,{v}\n"
        for iso, v in [("FRA", 40.48), ("USA", 384.0), ("SWE", 36.0), ("DEU", 344.0)]
        + [(iso, 300) for iso in REGION_COUNTRIES]
    )
    srv.file("/owid.csv", owid.encode())
    srv.file("/google/2024.csv", (RESOURCES / "carbon/google_region_2024.csv").read_bytes())
    eurostat = jsonstat({"DE": 0, "FR": 1}, {"10": 0.3869, "11": 0.3869, "8": 0.3601, "9": 0.2561})
    for dataset in ("nrg_pc_204", "nrg_pc_205"):
        srv.file(f"/data/{dataset}", json.dumps(eurostat).encode(), "application/json")
    return {
        "azure": srv.url + "/api/retail/prices",
        "aws": srv.url + "/offers/{region}/index.csv",
        "owid": srv.url + "/owid.csv",
        "google": srv.url + "/google/{year}.csv",
        "eurostat": srv.url + "/data/{dataset}",
    }
