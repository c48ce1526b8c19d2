"""Regenerate `orders.csv` deterministically: `python data/make_orders.py`.

300 orders across ten currencies with line items (JSON column), about one in seven without a
shipping address (the emulator's TAXJAR warning), a few with an amount override, and ten
deliberately broken rows at fixed positions (listed in `README.md`).
"""

from __future__ import annotations

import csv
import json
import random
from decimal import Decimal
from pathlib import Path

SEED = 20240601
COUNT = 300
HERE = Path(__file__).resolve().parent

COLUMNS = [
    "order_id",
    "customer_id",
    "currency_code",
    "amount_major",
    "customer_email",
    "first_name",
    "last_name",
    "country_code",
    "shipping_address_line1",
    "shipping_city",
    "shipping_state",
    "shipping_postal_code",
    "shipping_country_code",
    "shipping_amount_major",
    "shipping_method",
    "line_items",
]

# currency: (weight, decimals, unit price range in major units, shipping, places)
CURRENCIES: dict[str, tuple[int, int, tuple[int, int], str, list[tuple[str, str, str, str]]]] = {
    "USD": (30, 2, (5, 120), "6.99", [("US", "New York", "NY", "10001"),
                                      ("US", "Austin", "TX", "73301"),
                                      ("US", "Seattle", "WA", "98101")]),
    "EUR": (25, 2, (4, 110), "4.90", [("DE", "Berlin", "", "10115"),
                                      ("FR", "Paris", "", "75001"),
                                      ("NL", "Amsterdam", "", "1011"),
                                      ("ES", "Madrid", "", "28001")]),
    "GBP": (12, 2, (3, 90), "3.95", [("GB", "London", "", "EC1A 1BB"),
                                     ("GB", "Leeds", "", "LS1 1UR")]),
    "JPY": (10, 0, (500, 15000), "800", [("JP", "Tokyo", "", "100-0001"),
                                         ("JP", "Osaka", "", "530-0001")]),
    "KWD": (5, 3, (1, 40), "1.500", [("KW", "Kuwait City", "", "13001")]),
    "AED": (6, 2, (15, 450), "15.00", [("AE", "Dubai", "", "00000"),
                                       ("AE", "Abu Dhabi", "", "00000")]),
    "CAD": (4, 2, (6, 150), "9.99", [("CA", "Toronto", "ON", "M5H 2N2")]),
    "AUD": (3, 2, (6, 150), "8.50", [("AU", "Sydney", "NSW", "2000")]),
    "CHF": (3, 2, (5, 120), "7.00", [("CH", "Zurich", "", "8001")]),
    "SEK": (2, 2, (50, 1200), "49.00", [("SE", "Stockholm", "", "111 20")]),
}  # fmt: skip

FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jun", "Kofi",
         "Lena", "Mateo", "Noor", "Oskar", "Priya", "Quinn", "Rosa", "Sami", "Tomo"]  # fmt: skip
LAST = ["Adams", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad", "Ito",
        "Jensen", "Kim", "Lopez", "Meyer", "Novak", "Okafor", "Patel", "Rossi", "Sato"]  # fmt: skip
PRODUCTS = [("mug", "Ceramic mug"), ("tee", "Organic T-shirt"), ("cap", "Baseball cap"),
            ("book", "Paperback book"), ("lamp", "Desk lamp"), ("sock", "Wool socks"),
            ("bag", "Canvas tote bag"), ("pen", "Fountain pen"), ("tea", "Loose-leaf tea"),
            ("case", "Phone case")]  # fmt: skip
STREETS = ["Main Street", "Station Road", "Harbour Lane", "Market Square", "Park Avenue"]


FRACTIONS = {2: ["00", "49", "50", "95", "99"], 3: ["000", "125", "250", "500", "750", "995"]}


def _price(rng: random.Random, decimals: int, low: int, high: int) -> Decimal:
    """A shop-like price: whole tens of yen, or `.99`, `.49`, `.250` style fractions."""
    if decimals == 0:
        return Decimal(rng.randint(max(1, low // 10), high // 10) * 10)
    return Decimal(f"{rng.randint(low, high)}.{rng.choice(FRACTIONS[decimals])}")


def make_rows() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    codes = list(CURRENCIES)
    weights = [CURRENCIES[c][0] for c in codes]
    rows: list[dict[str, str]] = []
    for n in range(1, COUNT + 1):
        code = rng.choices(codes, weights)[0]
        _, decimals, (low, high), shipping, places = CURRENCIES[code]
        country, city, state, postal = rng.choice(places)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        items = []
        for product_id, name in rng.sample(PRODUCTS, rng.choice([1, 1, 2, 2, 3])):
            item: dict[str, object] = {
                "item_id": f"{product_id}-{rng.randint(1, 40):03d}",
                "name": name,
                "quantity": rng.choice([1, 1, 1, 2, 3]),
                "amount_major": str(_price(rng, decimals, low, high)),
            }
            if rng.random() < 0.1:
                item["discount_major"] = str(_price(rng, decimals, 0, max(1, low - 1)))
            items.append(item)
        row = {column: "" for column in COLUMNS}
        row.update(
            order_id=f"ord-{n:04d}",
            customer_id=f"cus-{rng.randint(1, 120):04d}",
            currency_code=code,
            customer_email=f"{first}.{last}@example.com".lower(),
            first_name=first,
            last_name=last,
            country_code=country,
            line_items=json.dumps(items, separators=(",", ":")),
        )
        if rng.random() >= 0.14:  # the rest ship nowhere known: TAXJAR MISSING_DATA
            row.update(
                shipping_address_line1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
                shipping_city=city,
                shipping_state=state,
                shipping_postal_code=postal,
                shipping_country_code=country,
                shipping_amount_major=shipping,
                shipping_method=rng.choice(["standard", "express"]),
            )
        if rng.random() < 0.04:  # an agreed total that overrides the computed one
            row["amount_major"] = str(_price(rng, decimals, low, high))
        rows.append(row)
    _break(rows)
    return rows


#: row index -> (what is wrong, the change); documented in README.md.
def _break(rows: list[dict[str, str]]) -> None:
    rows[16].update(currency_code="JPY", amount_major="1200.50", line_items="")
    rows[16].update(shipping_amount_major="")
    rows[41].update(currency_code="XYZ")
    rows[77].update(amount_major="-5.00")
    rows[102].update(customer_email="jane.doe@")
    rows[133].update(
        currency_code="KWD",
        shipping_amount_major="",
        line_items=json.dumps([{"item_id": "mug-001", "name": "Ceramic mug",
                                "quantity": 1, "amount_major": "1.2345"}]),
    )  # fmt: skip
    rows[158].update(line_items='[{"item_id": "tee-002", "amount_major": "12.00"')
    rows[189].update(currency_code="usd", shipping_amount_major="", line_items="")
    rows[189]["amount_major"] = "10.00"
    rows[214].update(currency_code="HUF", amount_major="4990.00", line_items="")
    rows[214].update(shipping_amount_major="")
    rows[251].update(country_code="XX")
    rows[276]["line_items"] = json.dumps([{"item_id": "cap-003", "amount_major": "9.99",
                                           "quantity": 1.5}])  # fmt: skip


def main() -> None:
    rows = make_rows()
    with (HERE / "orders.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        # one malformed line: an unquoted comma in a name shifts every field after it
        handle.write(
            "ord-0301,cus-0007,EUR,,lena.meyer@example.com,Lena,Meyer, Jr.,DE,"
            "1 Main Street,Berlin,,10115,DE,4.90,standard,"
            '"[{""item_id"":""mug-001"",""amount_major"":""12.00""}]"\n'
        )
    print(f"wrote {len(rows) + 1} orders to {HERE / 'orders.csv'}")


if __name__ == "__main__":
    main()
