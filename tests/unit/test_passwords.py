"""Passwords are stored as argon2id hashes with argon2-cffi's default (RFC 9106 low-memory)
parameters; the test personas use cheaper ones, so these are asserted here."""

from mediathek.passwords import hash_password, verify_password


def test_a_password_is_hashed_with_argon2id_and_the_production_parameters():
    stored = hash_password("richtig-geheim-42")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(stored, "richtig-geheim-42")
    assert not verify_password(stored, "richtig-geheim-43")
