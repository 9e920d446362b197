"""Business errors carry no HTTP; the web layer's one table gives each kind its status."""

from mediathek import errors
from mediathek.circulation.policy import CheckoutRefused, ComponentsToCheck
from mediathek.patrons.links import LinkInvalid
from mediathek.patrons.logins import LoginFailed, TooManyAttempts
from mediathek.web.errors import status_of
from mediathek.web.input_guard import ControlCharacters


class SomethingNew(errors.DomainError):
    pass


def test_each_kind_of_fact_has_its_status_and_the_most_specific_class_wins():
    assert status_of(errors.NotFound("x")) == 404
    assert status_of(errors.Forbidden("x")) == 403
    assert status_of(errors.InvalidInput()) == 422
    assert status_of(ControlCharacters("path")) == 400  # an InvalidInput, but more specific
    assert status_of(CheckoutRefused("x")) == 409
    assert status_of(ComponentsToCheck("x", [])) == 409
    assert status_of(LoginFailed("x")) == 400
    assert status_of(LinkInvalid("x")) == 410
    assert status_of(TooManyAttempts("x")) == 429


def test_an_error_of_a_kind_the_table_does_not_name_is_a_conflict():
    assert status_of(SomethingNew("x")) == 409


def test_domain_errors_say_nothing_about_http():
    for cls in (errors.DomainError, errors.NotFound, errors.InvalidInput, LinkInvalid):
        assert not hasattr(cls, "status")
