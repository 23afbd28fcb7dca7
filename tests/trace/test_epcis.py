"""EPCIS 2.0 export: valid against GS1's official JSON schema (with format checks), every EPC URI
well formed by our own check (the schema only asks for a URI) and canonical for its GS1 company
prefix length, no lot created twice, and every eventID the event hash GS1's generator computes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from biip.gs1_prefixes import GS1CompanyPrefix
from click.testing import CliRunner
from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events
from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_json
from jsonschema import Draft7Validator, FormatChecker

from lotscan.central.db import read_tx, write_tx
from lotscan.central.trace import epcis
from lotscan.central.trace.event_hash import digital_link, event_hash
from lotscan.central.trace.identifiers import (
    CompanyPrefixes,
    IdentifierError,
    check_epc_uri,
    lgtin,
    pgln,
    sgln,
    sscc,
)
from lotscan.central.trace.recall import recall
from lotscan.cli.trace_cmd import epcis as epcis_command
from tests.trace.conftest import Genealogy

SCHEMA = (
    Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "epcis" / "EPCIS-JSON-Schema.json"
)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not SCHEMA.exists():
        pytest.skip(f"the EPCIS schema is not at {SCHEMA} (../shared/standards)")
    return Draft7Validator(json.loads(SCHEMA.read_text()), format_checker=FormatChecker())


def _errors(validator: Draft7Validator, doc: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_validator_catches_wrong_words(validator: Draft7Validator) -> None:
    doc = json.loads((SCHEMA.parent / "examples" / "Example_9.6.1-ObjectEvent.jsonld").read_text())
    assert not _errors(validator, doc)
    doc["epcisBody"]["eventList"][0]["bizStep"] = "not_a_step"
    doc["epcisBody"]["eventList"][0]["eventTime"] = "yesterday"
    assert len(_errors(validator, doc)) >= 2


def _generator_hashes(doc: dict) -> list[str]:
    return epcis_hashes_from_events(event_list_from_epcis_document_json(json.loads(json.dumps(doc))))


def _canonical_split(uri: str) -> None:
    """EPC URIs split a key where GS1's prefix table (biip) puts the end of its company prefix."""
    link = digital_link(uri)
    if link is None:
        assert uri.startswith("urn:lotscan:"), uri
        return
    company = uri.split(":")[4].split(".")[0]
    key = link.split("/")[4]
    digits = key[1:] if link.split("/")[3] in ("01", "00") else key
    expected = GS1CompanyPrefix.extract(digits)
    assert expected is not None and company == expected.value, (uri, expected)


def test_full_export_validates_and_covers_every_event(
    fresh_genealogy: Genealogy, validator: Draft7Validator
) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        recall(conn, [g.generated.raw_lots[0][1]], "test recall", "sue", dry_run=False)
    result = CliRunner().invoke(epcis_command, ["--db", g.url])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert not _errors(validator, doc)
    for uri in epcis.epc_uris(doc):
        check_epc_uri(uri)
        _canonical_split(uri)
    events = doc["epcisBody"]["eventList"]
    # EPCIS 2.0 section 7.4.1: eventID may be the event hash, "ni:///sha-256;...?ver=CBV2.0",
    # computed by GS1's algorithm; ours must equal the reference generator's for every event.
    assert [e["eventID"] for e in events] == _generator_hashes(doc)
    assert len({e["eventID"] for e in events}) == len(events)
    kinds = [(e["type"], e.get("action"), e.get("bizStep")) for e in events]
    types = [e.type for _s, e in g.generated.events]
    assert kinds.count(("ObjectEvent", "OBSERVE", "receiving")) == types.count("stock.received")
    assert kinds.count(("ObjectEvent", "OBSERVE", "shipping")) == types.count("stock.shipped")
    produced = [e for _s, e in g.generated.events if e.type == "lot.produced"]
    transformations = [e for e in events if e["type"] == "TransformationEvent"]
    assert len(transformations) == len([e for e in produced if e.payload["inputs"]]) + sum(
        types.count(t) for t in ("lot.split", "lot.merged", "lot.relabelled")
    )
    # No lot is created twice: each new lot appears in exactly one creating event (ADD or the
    # TransformationEvent's outputs), and the ilmd is on that event (GS1's example 9.6.4).
    created = Counter(
        q["epcClass"]
        for e in events
        if e["type"] == "TransformationEvent" or e.get("action") == "ADD"
        for q in e.get("outputQuantityList", e.get("quantityList", []))
    )
    assert created and max(created.values()) == 1
    assert not [
        e
        for e in events
        if e.get("action") == "ADD"
        and e["type"] == "ObjectEvent"
        and any(e2["type"] == "TransformationEvent" for e2 in events if e2["eventTime"] == e["eventTime"])
    ]
    assert all(t["ilmd"] for t in transformations if len(t["outputQuantityList"]) == 1)
    assert any("cbvmda:itemExpirationDate" in t.get("ilmd", {}) for t in transformations)
    recalled = [e for e in events if e.get("disposition") == "recalled"]
    assert recalled and all(e["persistentDisposition"] == {"set": ["recalled"]} for e in recalled)
    unknown_inputs = [q for t in transformations for q in t["inputQuantityList"] if "quantity" not in q]
    assert unknown_inputs, "inputs whose quantity was not recorded are listed without one"


def test_parties_documents_and_time_zones(genealogy: Genealogy) -> None:
    g = genealogy
    with read_tx(g.engine) as conn:
        doc = epcis.document(conn, epcis.Filter())
    events = doc["epcisBody"]["eventList"]
    received = [e for e in events if e.get("bizStep") == "receiving"]
    shipped = [e for e in events if e.get("bizStep") == "shipping"]
    for e in received:
        source = {s["type"]: s["source"] for s in e["sourceList"]}
        # CBV 2.0 section 8.5: owning_party is a party (PGLN), location a place (SGLN)
        assert source["owning_party"].startswith(("urn:epc:id:pgln:", "urn:lotscan:party:"))
        assert {d["type"] for d in e["destinationList"]} == {"owning_party", "location"}
        (transaction,) = e["bizTransactionList"]
        assert transaction["type"] == "desadv"
        # CBV 2.0: urn:epcglobal:cbv:bt:<GLN>:<document>; the despatch advice is the supplier's, so
        # it is named by the supplier's GLN (the farm has none: our own URN then)
        if source["owning_party"].startswith("urn:epc:id:pgln:"):
            assert transaction["bizTransaction"] == (
                f"urn:epcglobal:cbv:bt:{digital_link(source['owning_party']).split('/')[-1]}:ASN-0"
            )
        else:
            assert transaction["bizTransaction"] == "urn:lotscan:document:ASN-1"
    assert any(s["source"].startswith("urn:epc:id:pgln:") for e in received for s in e["sourceList"])
    for e in shipped:
        assert {d["type"] for d in e["destinationList"]} == {"owning_party", "location"}
        assert e["bizTransactionList"][0]["type"] == "bol"
        assert e["bizTransactionList"][0]["bizTransaction"].startswith("urn:epcglobal:cbv:bt:")
        # 21 CFR 1.1340(b): the TLC source goes to the recipient with the shipment
        assert e["fsma:tlcSourceLocation"] and e["fsma:tlcSourceReference"]
    offsets = {e["eventTimeZoneOffset"] for e in events if "readPoint" in e}
    assert {"-06:00", "+01:00"} <= offsets  # P1 America/Chicago, P2 Europe/Berlin in March


def test_unknown_company_prefixes_fall_back_with_a_warning(genealogy: Genealogy) -> None:
    g = genealogy
    prefixes = CompanyPrefixes(("952123400",), 8)
    with read_tx(g.engine) as conn:
        result = epcis.export(conn, epcis.Filter(), prefixes)
    uris = set(epcis.epc_uris(result.document))
    # Our own prefix first: every GTIN of ours splits after 9 digits.
    assert any(u.startswith("urn:epc:class:lgtin:952123400.") for u in uris)
    assert not result.warnings  # the rest are in GS1's table
    assert CompanyPrefixes(fallback=8).length("2001234567890", "2001234567890", "GLN") == 8
    unknown = CompanyPrefixes(fallback=8)
    unknown.length("2001234567890", "2001234567890", "GLN")
    assert "GLN 2001234567890" in unknown.warnings()[0]


def test_event_ids_do_not_depend_on_the_hash_seed(genealogy: Genealogy, tmp_path: Path) -> None:
    """The same export under different PYTHONHASHSEED values (set iteration order) is identical."""
    outputs = []
    for seed in ("0", "1", "4242"):
        out = tmp_path / f"epcis-{seed}.jsonld"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "lotscan",
                "central",
                "export",
                "epcis",
                "--db",
                genealogy.url,
                "--out",
                str(out),
            ],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
        )
        doc = json.loads(out.read_text())
        outputs.append([(e["eventID"], json.dumps(e, sort_keys=True)) for e in doc["epcisBody"]["eventList"]])
    assert outputs[0] == outputs[1] == outputs[2]


def test_our_hash_matches_the_generator_on_gs1s_examples() -> None:
    examples = SCHEMA.parent / "examples"
    if not examples.exists():
        pytest.skip(f"GS1's examples are not at {examples}")
    checked = 0
    for name in (
        "Example_9.6.1-ObjectEvent.jsonld",
        "Example_9.6.4-TransformationEvent.jsonld",
        "PersistentDisposition-example.jsonld",
        "Example_9.6.3-AggregationEvent.jsonld",
    ):
        doc = json.loads((examples / name).read_text())
        namespaces = {k: v for c in doc["@context"] if isinstance(c, dict) for k, v in c.items()}
        ours = [event_hash(e, namespaces) for e in doc["epcisBody"]["eventList"]]
        assert ours == _generator_hashes(doc), name
        checked += len(ours)
    assert checked >= 5


def test_lot_filter(genealogy: Genealogy, validator: Draft7Validator) -> None:
    g = genealogy
    lot = next(lot for lot in g.generated.raw_lots if g.model.children.get(lot))
    with read_tx(g.engine) as conn:
        doc = epcis.document(conn, epcis.Filter(lots=(lot[1],)))
    assert not _errors(validator, doc)
    assert [e["eventID"] for e in doc["epcisBody"]["eventList"]] == _generator_hashes(doc)
    events = doc["epcisBody"]["eventList"]
    assert sum(e["type"] == "TransformationEvent" for e in events) == len(g.model.children[lot])
    assert sum(e.get("bizStep") == "receiving" for e in events) == 1


def test_epc_uri_checks() -> None:
    assert lgtin("09521234003014", "A/B%1", 7) == "urn:epc:class:lgtin:9521234.000301.A%2FB%251"
    assert sgln("9521234000013", 7) == "urn:epc:id:sgln:9521234.00001.0"
    assert sscc("095212340000000013", 7) == "urn:epc:id:sscc:9521234.0000000001"
    assert pgln("9521234000013", 7) == "urn:epc:id:pgln:9521234.00001"
    # GS1's table: 0614141 is a 7-digit US prefix, 952 1234 one of GS1's example prefixes
    assert lgtin("00614141123452", "L1", CompanyPrefixes()) == "urn:epc:class:lgtin:0614141.012345.L1"
    for good in (lgtin("09521234003014", "L1", 9), sgln("9521234000013", 9), sscc("095212340000000013", 12)):
        check_epc_uri(good)
    for bad in (
        "urn:epc:class:lgtin:9521234.00301.L1",  # 12 digits, not 13
        "urn:epc:class:lgtin:9521234.000301.A/B",  # unescaped slash
        "urn:epc:id:sgln:9521234.0001.0",
        "urn:epc:id:sscc:9521234.000000001",
        "https://example.com/x",
    ):
        with pytest.raises(IdentifierError):
            check_epc_uri(bad)
    with pytest.raises(IdentifierError, match="check digit"):
        lgtin("09521234003015", "L1", 7)
    with pytest.raises(IdentifierError, match="character set"):
        lgtin("09521234003014", "LOT WITH SPACE", 7)
