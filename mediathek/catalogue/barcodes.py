"""Barcode numbers for copies and library cards: prefix + running number + check digit.

The check digit (Luhn, over the digits) catches every single mistyped digit and most swapped
neighbours, so a hand-typed code that is wrong is refused instead of finding another copy.
"""

from __future__ import annotations

NUMBER_WIDTH = 6


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, the check digit not yet added
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_code(prefix: str, number: int) -> str:
    digits = f"{number:0{NUMBER_WIDTH}d}"
    return f"{prefix}{digits}{luhn_digit(digits)}"


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def is_valid_code(code: str, prefix: str) -> bool:
    code = normalise_code(code)
    if not code.startswith(prefix.upper()):
        return False
    digits = code[len(prefix) :]
    return (
        len(digits) >= 2
        and digits.isascii()
        and digits.isdigit()
        and luhn_digit(digits[:-1]) == digits[-1]
    )


def code_number(code: str, prefix: str) -> int:
    return int(normalise_code(code)[len(prefix) : -1])
