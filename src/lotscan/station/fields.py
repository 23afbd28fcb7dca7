"""What the next typed line is for, when it is not a scan: a quantity, a reason, a PIN..."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class FieldSpec:
    label: str
    prompt: str
    secret: bool = False
    letters_are_text: bool = True
    takes_value: bool = True


class Field(Enum):
    QTY = FieldSpec("Qty", "Quantity for the next scan: type the number, Enter. (Esc = cancel)")
    REASON = FieldSpec("Reason", "Type the reason, Enter. (Esc = cancel)")
    PIN = FieldSpec("PIN", "Type your PIN, Enter. (Esc = cancel)", secret=True)
    TYPE = FieldSpec("Type", "Type or paste a code, Enter. Ctrl+] types GS. (Esc = cancel)")
    SUPERVISOR_BADGE = FieldSpec("Supervisor", "Override: a supervisor scans their badge. (Esc = cancel)")
    SUPERVISOR_PIN = FieldSpec("Sup. PIN", "Supervisor: type your PIN, Enter. (Esc = cancel)", secret=True)
    # One harvest fact of goods from a farm (domain.harvest): label and prompt are the fact's.
    HARVEST = FieldSpec("Harvest", "Type the harvest fact, Enter. (Esc = cancel)")

    @property
    def label(self) -> str:
        return self.value.label

    @property
    def prompt(self) -> str:
        return self.value.prompt

    @property
    def secret(self) -> bool:
        return self.value.secret

    @property
    def letters_are_text(self) -> bool:
        return self.value.letters_are_text

    @property
    def takes_value(self) -> bool:
        return self.value.takes_value


class FieldState:
    """The field being filled in, and what to do once it is (e.g. short-pick after the reason);
    for a series of questions (harvest facts) the label and prompt of this one and those to come."""

    def __init__(self) -> None:
        self.current: Field | None = None
        self.then: str | None = None
        self.label: str | None = None
        self.prompt: str | None = None
        self.rest: list[str] = []

    def start(
        self,
        field: Field,
        then: str | None = None,
        *,
        label: str | None = None,
        prompt: str | None = None,
        rest: list[str] | None = None,
    ) -> None:
        self.current, self.then = field, then
        self.label, self.prompt, self.rest = label, prompt, list(rest or [])

    def end(self) -> None:
        self.current, self.then = None, None
        self.label, self.prompt, self.rest = None, None, []
