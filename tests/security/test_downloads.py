"""Safe names in Content-Disposition: no path, no quote, no control
character; an ASCII fallback plus RFC 5987 filename* for other names."""

import pytest
from django.http import HttpResponse

from apps.security.downloads import content_disposition, safe_attachment_name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.csv", "report.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\evil.zip", "evil.zip"),
        ('a"b.zip', "ab.zip"),
        ("line\r\nSet-Cookie: x=1.txt", "lineSet-Cookie: x=1.txt"),
        ("tab\there\x00\x7f\x9b.json", "tabhere.json"),
        (".htaccess", "htaccess"),
        ("", "download"),
        ("...", "download"),
        ("/", "download"),
        ("données.csv", "données.csv"),
    ],
)
def test_safe_attachment_name(given, expected):
    assert safe_attachment_name(given) == expected


def test_a_long_name_is_cut_keeping_its_suffix():
    name = safe_attachment_name("x" * 400 + ".zip")
    assert len(name) == 150
    assert name.endswith("x.zip")


def test_an_ascii_name_has_one_quoted_parameter():
    assert content_disposition("candor-access-1a2b3c4d.zip") == (
        'attachment; filename="candor-access-1a2b3c4d.zip"'
    )
    assert content_disposition("record.png", inline=True) == (
        'inline; filename="record.png"'
    )


def test_a_non_ascii_name_has_an_ascii_fallback_and_filename_star():
    assert content_disposition("Données de René.csv") == (
        'attachment; filename="Donnees de Rene.csv"; '
        "filename*=UTF-8''Donn%C3%A9es%20de%20Ren%C3%A9.csv"
    )
    assert content_disposition("数据.zip") == (
        "attachment; filename=\"__.zip\"; filename*=UTF-8''%E6%95%B0%E6%8D%AE.zip"
    )


@pytest.mark.parametrize("given", ['x"\r\nLocation: /evil', "../a\\b\x00.zip"])
def test_the_header_value_is_always_accepted_and_single_line(given):
    response = HttpResponse()
    response["Content-Disposition"] = content_disposition(given)  # no BadHeaderError
    value = response["Content-Disposition"]
    assert "\r" not in value and "\n" not in value
    assert value.count('"') == 2
    assert "/" not in value and "\\" not in value
