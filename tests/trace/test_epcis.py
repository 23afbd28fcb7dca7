"""EPCIS 2.0 export: valid against GS1's official JSON schema (with format checks), and every EPC
URI well formed by our own check (the schema only asks for a URI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator, FormatChecker

from lotscan.central.db import read_tx, write_tx
from lotscan.central.trace import epcis
from lotscan.central.trace.identifiers import IdentifierError, check_epc_uri, lgtin, sgln, sscc
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


def test_full_export_validates_and_covers_every_event(
    fresh_genealogy: Genealogy, validator: Draft7Validator
) -> None:
    g = fresh_genealogy
    with write_tx(g.engine) as conn:
        recall(conn, [g.generated.raw_lots[0][1]], "test recall", "sue", dry_run=False)
    result = CliRunner().invoke(epcis_command, ["--db", g.url])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert not _errors(validator, doc)
    for uri in epcis.epc_uris(doc):
        check_epc_uri(uri)
    events = doc["epcisBody"]["eventList"]
    kinds = [(e["type"], e.get("action"), e.get("bizStep")) for e in events]
    types = [e.type for _s, e in g.generated.events]
    assert kinds.count(("ObjectEvent", "OBSERVE", "receiving")) == types.count("stock.received")
    assert kinds.count(("ObjectEvent", "OBSERVE", "shipping")) == types.count("stock.shipped")
    produced = [e for _s, e in g.generated.events if e.type == "lot.produced"]
    transformations = [e for e in events if e["type"] == "TransformationEvent"]
    assert len(transformations) == len([e for e in produced if e.payload["inputs"]]) + sum(
        types.count(t) for t in ("lot.split", "lot.merged", "lot.relabelled")
    )
    adds = [e for e in events if e.get("action") == "ADD"]
    assert all(e["ilmd"]["cbvmda:lotNumber"] for e in adds)
    assert any("cbvmda:itemExpirationDate" in e["ilmd"] for e in adds)
    recalled = [e for e in events if e.get("disposition") == "recalled"]
    assert recalled and all(e["persistentDisposition"] == {"set": ["recalled"]} for e in recalled)
    unknown_inputs = [q for t in transformations for q in t["inputQuantityList"] if "quantity" not in q]
    assert unknown_inputs, "inputs whose quantity was not recorded are listed without one"


def test_lot_filter(genealogy: Genealogy, validator: Draft7Validator) -> None:
    g = genealogy
    lot = next(lot for lot in g.generated.raw_lots if g.model.children.get(lot))
    with read_tx(g.engine) as conn:
        doc = epcis.document(conn, epcis.Filter(lots=(lot[1],)))
    assert not _errors(validator, doc)
    events = doc["epcisBody"]["eventList"]
    assert sum(e["type"] == "TransformationEvent" for e in events) == len(g.model.children[lot])
    assert sum(e.get("bizStep") == "receiving" for e in events) == 1


def test_epc_uri_checks() -> None:
    assert lgtin("09521234003014", "A/B%1", 7) == "urn:epc:class:lgtin:9521234.000301.A%2FB%251"
    assert sgln("9521234000013", 7) == "urn:epc:id:sgln:9521234.00001.0"
    assert sscc("095212340000000013", 7) == "urn:epc:id:sscc:9521234.0000000001"
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
