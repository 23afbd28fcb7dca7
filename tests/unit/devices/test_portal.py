"""Portal batches judged against the ASN, with EPC meaning from lotscan.codes."""

from __future__ import annotations

from lotscan.devices.portal import Expectation, Portal, judge
from lotscan.devices.simulate import pallet_epcs, sgtin96_hex

GTIN_A, GTIN_B = "09506000134352", "80614141123458"


def test_gtin_counts_split_into_expected_missing_and_unexpected():
    tags = pallet_epcs([GTIN_A], 3) + pallet_epcs([GTIN_B], 1) + ["E2801160600002084D5E1F23"]
    verdict = judge(tags, Expectation.of(gtins={GTIN_A: 4}))
    assert len(verdict.expected) == 3
    assert verdict.missing == (f"{GTIN_A} x1",)
    assert set(verdict.unexpected) == {sgtin96_hex(GTIN_B, 1), "E2801160600002084D5E1F23"}


def test_expected_epcs_may_be_pure_identity_uris():
    tag = sgtin96_hex(GTIN_B, 6789)
    verdict = judge([tag], Expectation.of(epcs=["urn:epc:id:sgtin:0614141.812345.6789"]))
    assert verdict.expected == (tag,) and not verdict.missing and not verdict.unexpected


def test_batch_closes_after_quiet_and_is_posted_once():
    posted = []
    portal = Portal("door", posted.append, quiet_s=0.5)
    portal.expect(gtins={GTIN_A: 2})
    for n, tag in enumerate(pallet_epcs([GTIN_A], 2) * 5):
        portal.add(tag, now=n * 0.01)
    assert portal.tick(now=0.3) is None
    result = portal.tick(now=1.0)
    assert result is not None and result.complete and posted == [result]
    assert portal.tick(now=2.0) is None
