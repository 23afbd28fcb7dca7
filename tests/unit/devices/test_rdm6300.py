from __future__ import annotations

from lotscan.devices.rdm6300 import BadgeParser, badge_frame


def test_frame_is_stx_ten_hex_xor_checksum_etx():
    frame = badge_frame("0F00A3B2C1")
    assert frame[0] == 0x02 and frame[-1] == 0x03
    assert frame[1:11] == b"0F00A3B2C1"
    xor = 0x0F ^ 0x00 ^ 0xA3 ^ 0xB2 ^ 0xC1
    assert frame[11:13] == f"{xor:02X}".encode()


def test_parser_reads_badges_skips_garbage_and_bad_checksums():
    good = badge_frame("0F00A3B2C1")
    bad = bytearray(good)
    bad[11:13] = b"00"
    parser = BadgeParser()
    badges = parser.feed(b"\xff\x13" + good[:5]) + parser.feed(good[5:] + bytes(bad) + good)
    assert [b.card_hex for b in badges] == ["0F00A3B2C1", "0F00A3B2C1"]
    assert badges[0].card_number == 0x00A3B2C1
    assert parser.checksum_errors == 1
