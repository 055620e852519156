"""Cells for the spreadsheets Huimin writes. Text that a spreadsheet would run as a formula (it starts with
= + - @, a tab or a carriage return) gets a leading apostrophe, so Excel shows it and never executes it."""

import datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None or isinstance(value, (bool, int, float, Decimal, datetime.date, datetime.time)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
