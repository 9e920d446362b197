import pytest

from mediathek.catalogue.barcodes import code_number, is_valid_code, make_code


def test_codes_carry_prefix_number_and_check_digit():
    code = make_code("M", 42)
    assert code.startswith("M000042") and len(code) == 8
    assert is_valid_code(code, "M") and code_number(code, "M") == 42


@pytest.mark.parametrize("position", range(1, 8))
def test_any_single_mistyped_digit_is_caught(position):
    code = make_code("M", 123456)
    for digit in "0123456789":
        if digit != code[position]:
            typo = code[:position] + digit + code[position + 1 :]
            assert not is_valid_code(typo, "M"), typo


def test_swapped_neighbours_are_caught():
    code = make_code("M", 123456)
    swapped = code[0] + code[2] + code[1] + code[3:]
    assert not is_valid_code(swapped, "M")


def test_wrong_prefix_and_garbage_are_refused():
    assert not is_valid_code(make_code("K", 5), "M")
    assert not is_valid_code("M", "M") and not is_valid_code("Mabc", "M")
    assert is_valid_code(" m0000018 ", "M")


def test_a_code_with_superscript_digits_is_simply_not_valid():
    assert not is_valid_code("M³³³", "M")
    assert not is_valid_code("M²⁰²⁶", "M")
