"""When a read may be believed: one frame for symbols with integrity of their own, agreeing frames
(live) or agreeing attempts (stills) for EAN/UPC, ITF and plain Code 128, never a fragment."""

from __future__ import annotations

import pytest

from lotscan.devices.agreement import FrameAgreement, judge_still, plausible, self_checking
from lotscan.devices.decoders import Decoded
from lotscan.devices.profiles import ProfileError, load_profile


def ean(
    text: str, at: tuple[float, float] = (100.0, 100.0), attempt: str = "zxing", decoder: str = "zxing"
) -> Decoded:
    return Decoded(text, "]E0", "EAN-13", "Text", center=at, attempt=attempt, decoder=decoder)


def itf(
    text: str, at: tuple[float, float] = (300.0, 300.0), attempt: str = "zxing", decoder: str = "zxing"
) -> Decoded:
    return Decoded(text, "]I0", "ITF", "Text", center=at, attempt=attempt, decoder=decoder)


GS1_128 = Decoded("0109506000134352", "]C1", "Code 128", "GS1", center=(50.0, 50.0))
CODE_128 = Decoded("LOC:DOCK-IN", "]C0", "Code 128", "Text", center=(50.0, 50.0))
DATAMATRIX = Decoded("0109506000134352", "]d2", "Data Matrix", "GS1", center=(400.0, 50.0))


def test_symbols_with_their_own_integrity_need_no_second_frame():
    assert self_checking(GS1_128) and self_checking(DATAMATRIX)
    assert not self_checking(CODE_128) and not self_checking(ean("9506000134352"))
    agreement = FrameAgreement(agree_frames=2)
    assert [c.text for c in agreement.accept([GS1_128, DATAMATRIX, CODE_128], 0.0)] == [GS1_128.text] * 2


def test_a_weak_code_is_reported_once_two_frames_agree():
    agreement = FrameAgreement(agree_frames=2)
    assert agreement.accept([ean("9506000134352")], 0.00) == []
    (code,) = agreement.accept([ean("9506000134352", at=(104.0, 98.0))], 0.04)
    assert code.text == "9506000134352" and code.confidence == "medium"
    assert FrameAgreement(agree_frames=1).accept([ean("9506000134352")], 0.0)  # configurable


def test_agreeing_frames_must_be_near_in_time():
    agreement = FrameAgreement(agree_frames=2, window_s=1.0)
    assert agreement.accept([ean("9506000134352")], 0.0) == []
    assert agreement.accept([ean("9506000134352")], 1.5) == []  # the first sighting has expired


def test_a_read_that_disagrees_with_a_nearby_frame_is_dropped():
    agreement = FrameAgreement(agree_frames=2, window_s=1.0)
    assert agreement.accept([ean("9506000134352")], 0.00) == []
    assert agreement.accept([ean("9506000134352")], 0.04) != []
    # a misread of the same symbol (valid check digit, wrong digits) in the next frame
    assert agreement.accept([ean("9506000734356", at=(102.0, 101.0))], 0.08) == []
    assert agreement.accept([ean("9506000134352")], 0.12) == []  # both dropped while in the window
    assert agreement.accept([ean("9506000134352")], 1.2) == []  # the misread expired: agree again
    assert agreement.accept([ean("9506000134352")], 1.24) != []


def test_different_symbols_elsewhere_in_the_frame_do_not_disagree():
    agreement = FrameAgreement(agree_frames=2)
    frame = [ean("9506000134352"), ean("4006381333931", at=(900.0, 500.0))]
    agreement.accept(frame, 0.0)
    assert sorted(c.text for c in agreement.accept(frame, 0.04)) == ["4006381333931", "9506000134352"]


def test_an_itf_fragment_never_passes():
    whole, piece = itf("09506000134352"), itf("0950600013", at=(280.0, 300.0))
    assert plausible(whole, [whole, piece]) and not plausible(piece, [whole, piece])
    assert not plausible(itf("09506000134353"))  # ITF-14 with a wrong GS1 check digit
    agreement = FrameAgreement(agree_frames=2)
    agreement.accept([whole, piece], 0.0)
    assert [c.text for c in agreement.accept([whole, piece], 0.04)] == ["09506000134352"]


@pytest.mark.parametrize(
    ("reads", "confidence"),
    [
        ([ean("9506000134352")], "low"),  # one look: zxing-cpp passes misreads with valid check digits
        ([ean("9506000134352", decoder="pyzbar")], "low"),
        ([ean("9506000134352"), ean("9506000134352", attempt="confirm")], "medium"),  # a second crop
        # zbar on a second crop or scale of the image: two attempts read it alike
        (
            [
                ean("9506000134352", attempt="pyzbar-frame", decoder="pyzbar"),
                ean("9506000134352", attempt="confirm", decoder="pyzbar"),
            ],
            "medium",
        ),
        ([ean("9506000134352", decoder="pyzbar"), ean("9506000134352", attempt="confirm")], "medium"),
        # zxing-cpp read it, zbar read another value at the same place: a tie is no answer
        ([ean("9506000134352"), ean("9506000734356", attempt="confirm", decoder="pyzbar")], "low"),
        # both decoders agree, but two other reads give another value at the same place
        (
            [
                ean("9506000134352"),
                ean("9506000134352", attempt="confirm", decoder="pyzbar"),
                ean("9506000734356", attempt="regions"),
                ean("9506000734356", attempt="pyzbar", decoder="pyzbar"),
            ],
            "low",
        ),
    ],
)
def test_a_still_weak_code_needs_corroboration_and_no_contradiction(reads, confidence):
    judged = {c.text: c.confidence for c in judge_still(reads)}
    assert judged["9506000134352"] == confidence


def test_a_still_itf_only_zbar_reads_must_be_a_whole_itf_14():
    piece = [itf("96715185", decoder="pyzbar"), itf("96715185", attempt="confirm", decoder="pyzbar")]
    whole = [
        itf("96715185517928", decoder="pyzbar"),
        itf("96715185517928", attempt="confirm", decoder="pyzbar"),
    ]
    assert [c.confidence for c in judge_still(piece)] == ["low"]
    assert [c.confidence for c in judge_still(whole)] == ["medium"]


def test_a_still_upc_a_and_zbars_ean_13_of_it_are_one_code():
    upc = Decoded(
        "012345678905", "]E0", "UPC-A", "Text", center=(10.0, 10.0), attempt="zxing", decoder="zxing"
    )
    zbar = Decoded(
        "0012345678905", "]E0", "EAN13", None, center=(12.0, 10.0), attempt="confirm", decoder="pyzbar"
    )
    (code,) = judge_still([upc, zbar])
    assert (code.text, code.confidence) == ("012345678905", "medium")


def test_self_checking_stills_are_high_on_one_read():
    assert {c.confidence for c in judge_still([GS1_128, DATAMATRIX])} == {"high"}


def test_the_camera_profile_sets_the_agreement_count_and_refuses_nonsense():
    profile = load_profile("usb-camera")
    assert (profile.backend, profile.agree_frames) == ("lotscan", 2)
    assert profile.with_overrides({"agree_frames": 3}).agree_frames == 3
    with pytest.raises(ProfileError, match="agree_frames must be 1 or more"):
        profile.with_overrides({"agree_frames": 0})
    with pytest.raises(ProfileError, match="agree_frames = 'two' should be a int"):
        profile.with_overrides({"agree_frames": "two"})
