"""Argon2 hashes new passwords; older PBKDF2 hashes still verify."""

from django.contrib.auth.hashers import check_password, make_password

import portal.settings as real_settings

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_argon2_is_first_in_the_real_settings():
    # The module itself: the test session swaps in a fast hasher.
    assert real_settings.PASSWORD_HASHERS[0] == ARGON2
    assert PBKDF2 in real_settings.PASSWORD_HASHERS[1:]


def test_argon2_hashes_and_an_old_pbkdf2_hash_still_verifies(settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)
    old = make_password("old secret", hasher="pbkdf2_sha256")
    assert check_password("old secret", old)
    assert not check_password("wrong", old)
