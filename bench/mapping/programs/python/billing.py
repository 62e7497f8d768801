"""Billing rules: invoices that fail in nested calls and chained exceptions."""
from log import log


class GatewayError(Exception):
    pass


class Invoices:
    def __init__(self, rates):
        self.rates = rates

    def rate_for(self, country):
        if country not in self.rates:
            log.warning("no tax rate for %s", country)
            raise KeyError(country)
        return self.rates[country]

    def settle(self, invoice):
        log.info(f"settling invoice {invoice['id']} for {invoice['cents']} cents")
        try:
            tax = self.rate_for(invoice["country"])
        except KeyError as err:
            raise ValueError(f"cannot settle {invoice['id']}") from err
        return charge(invoice["cents"] * (1 + tax))


def charge(cents):
    if cents > 10000:
        log.error("charge of {} cents refused".format(int(cents)))
        raise GatewayError("refused")
    log.info("charged %d cents", int(cents))
    return True
