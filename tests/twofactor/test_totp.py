"""TOTP arithmetic on a frozen clock: one step of drift either way, nothing older or newer, and
nothing at or before the last step accepted."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from supportdesk.twofactor import totp

pytestmark = pytest.mark.unit

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC)
STEP = totp.time_step(NOW)


def _code(seconds_from_now: int) -> str:
    return pyotp.TOTP(SECRET).at(NOW + dt.timedelta(seconds=seconds_from_now))


@pytest.mark.parametrize(
    "offset, expected_step",
    [
        pytest.param(0, STEP, id="current-step"),
        pytest.param(-30, STEP - 1, id="a-step-behind"),
        pytest.param(30, STEP + 1, id="a-step-ahead"),
        pytest.param(-60, None, id="two-steps-behind"),
        pytest.param(60, None, id="two-steps-ahead"),
        pytest.param(-3600, None, id="an-hour-old"),
    ],
)
def test_codes_are_accepted_one_step_either_side_of_now(offset, expected_step):
    assert totp.matching_step(SECRET, _code(offset), NOW, after=None) == expected_step


@pytest.mark.parametrize(
    "after, offset, expected",
    [
        pytest.param(STEP, 0, None, id="the-step-just-used"),
        pytest.param(STEP - 1, 0, STEP, id="a-later-step-than-the-last"),
        pytest.param(STEP - 1, -30, None, id="the-previous-step-already-used"),
        pytest.param(STEP + 1, 30, None, id="a-future-step-already-used"),
    ],
)
def test_a_step_at_or_before_the_last_accepted_is_refused(after, offset, expected):
    assert totp.matching_step(SECRET, _code(offset), NOW, after=after) == expected


@pytest.mark.parametrize(
    "typed, accepted",
    [
        pytest.param(lambda c: c, True, id="as-shown"),
        pytest.param(lambda c: f"{c[:3]} {c[3:]}", True, id="with-a-space"),
        pytest.param(lambda c: f" {c}\n", True, id="surrounded-by-blanks"),
        pytest.param(lambda c: c[:5], False, id="five-digits"),
        pytest.param(lambda c: c + "0", False, id="seven-digits"),
        pytest.param(lambda c: "abcdef", False, id="letters"),
        pytest.param(lambda c: "", False, id="empty"),
        pytest.param(lambda c: f"{(int(c) + 1) % 1_000_000:06d}", False, id="off-by-one"),
    ],
)
def test_only_the_six_digits_of_the_step_match(typed, accepted):
    assert (totp.matching_step(SECRET, typed(_code(0)), NOW, after=None) is not None) is accepted


def test_the_provisioning_uri_names_the_account_and_the_issuer():
    uri = totp.provisioning_uri(SECRET, account="ada@example.com", issuer="Acme Support")
    assert uri.startswith("otpauth://totp/Acme%20Support:ada%40example.com?")
    assert f"secret={SECRET}" in uri and "issuer=Acme%20Support" in uri


def test_the_qr_code_is_an_inline_svg_drawn_here():
    svg = totp.qr_svg("otpauth://totp/x?secret=" + SECRET)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "http" not in svg.split("xmlns", 1)[0] and "<script" not in svg


def test_new_secrets_are_160_bit_base32_and_never_repeat():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in secrets)


def test_the_secret_is_grouped_by_four_for_typing():
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
