"""The bench's Python program: prints JSON with the tracebacks it produced and its log records."""
import json
import traceback

from billing import Invoices
from log import log, records


def run(invoices, invoice):
    try:
        invoices.settle(invoice)
    except Exception:
        return traceback.format_exc()
    return None


def main():
    invoices = Invoices({"de": 0.19, "fr": 0.2})
    stacks = []
    for inv in [
        {"id": "i1", "cents": 500, "country": "de"},
        {"id": "i2", "cents": 90000, "country": "fr"},
        {"id": "i3", "cents": 100, "country": "xx"},
    ]:
        st = run(invoices, inv)
        if st:
            stacks.append(st)
    try:
        [invoices.rate_for(c) for c in ["de", "zz"]]
    except KeyError:
        stacks.append(traceback.format_exc())
    log.info("batch done with %d failures", len(stacks))
    print(json.dumps({"stacks": stacks, "logs": records}))


main()
