"""R2000 frames and checksum, byte by byte."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lotscan.devices import r2000

EPC = bytes.fromhex("30340242201D8840009A4A21")


def test_checksum_is_twos_complement_of_byte_sum():
    assert r2000.checksum(bytes.fromhex("A0 04 01 89 01")) == 0xD1
    assert (sum(bytes.fromhex("A0 04 01 89 01")) + 0xD1) & 0xFF == 0


def test_real_time_inventory_command_bytes():
    assert r2000.inventory_command(address=0x01) == bytes.fromhex("A0 04 01 89 01 D1")


def test_set_antenna_and_power_command_bytes():
    assert r2000.set_antenna_command(1, address=0x01) == bytes.fromhex("A0 04 01 74 00 E7")
    assert r2000.set_antenna_command(2, address=0x01) == bytes.fromhex("A0 04 01 74 01 E6")
    assert r2000.set_power_command(30, address=0x01) == bytes.fromhex("A0 04 01 76 1E C7")


def test_tag_report_carries_pc_epc_rssi_antenna():
    frame = r2000.tag_report_frame(EPC, rssi_dbm=-52, antenna=2, frequency=5, address=1)
    # A0 len=0x13 addr cmd freq|ant PC(2) EPC(12) RSSI check
    assert frame[:4] == bytes.fromhex("A0 13 01 89")
    assert frame[4] == (5 << 2) | 1
    assert frame[5:7] == bytes.fromhex("3000")  # 6 words of EPC
    assert frame[7:19] == EPC
    assert frame[19] == 129 - 52
    (parsed,) = r2000.FrameParser().feed(frame)
    report = r2000.interpret_frame(parsed)
    assert report == r2000.TagReport(EPC, 0x3000, -52, 2, 5)
    assert report.epc_hex == "30340242201D8840009A4A21"


def test_round_end_and_command_results():
    parser = r2000.FrameParser()
    end, ok, bad = parser.feed(
        r2000.round_end_frame(1, read_rate=120, total=7)
        + r2000.result_frame(r2000.CMD_SET_OUTPUT_POWER)
        + r2000.result_frame(r2000.CMD_REAL_TIME_INVENTORY, 0x22)
    )
    assert r2000.interpret_frame(end) == r2000.RoundEnd(1, 120, 7)
    assert r2000.interpret_frame(ok) == r2000.CommandResult(r2000.CMD_SET_OUTPUT_POWER, 0x10)
    assert not r2000.interpret_frame(bad).ok


def test_garbage_and_a_checksum_error_are_dropped_counted_and_the_stream_goes_on():
    good = r2000.tag_report_frame(EPC, rssi_dbm=-40)
    corrupt = bytearray(good)
    corrupt[10] ^= 0xFF
    stream = b"\x00\x13garbage" + good + bytes(corrupt) + b"\x55" + good
    parser = r2000.FrameParser()
    frames = parser.feed(stream)
    assert len(frames) == 2
    assert parser.checksum_errors == 1
    assert parser.garbage_bytes == 10  # 9 leading bytes + 1 between frames


def test_split_reads_reassemble():
    stream = r2000.tag_report_frame(EPC) * 3
    parser = r2000.FrameParser()
    frames = []
    for i in range(0, len(stream), 5):
        frames += parser.feed(stream[i : i + 5])
    assert len(frames) == 3 and parser.garbage_bytes == 0


@given(st.binary(max_size=400), st.integers(min_value=0, max_value=40))
def test_any_noise_before_a_frame_never_hides_it(noise, cut):
    frame = r2000.tag_report_frame(EPC)
    parser = r2000.FrameParser()
    stream = noise.replace(b"\xa0", b"\x00") + frame
    frames = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
    assert [f.data[3:-1] for f in frames] == [EPC]
