"""German speaks to the user as "Sie": no "du", "dich", "dir", "dein…", "euch", "euer…" and no "ihr" as
address in the German translation or in the simulator's German answers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "i18n" / "deepseek_desktop_de.ts"
TOPICS = ROOT / "deepseek_desktop" / "engines" / "data" / "simulator_topics.json"

# Whole words only: "Verzeichnis", "Dirigent" or "Produkt" must not count. Lower-case "ihr" is "her" or
# "their" as often as "you"; as address it comes with a verb in the second person plural.
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines|euch|euer|eure|euren|eurem|eurer|eures)\b"
    r"|\bihr (habt|seid|könnt|müsst|wollt|sollt|dürft|werdet|wisst|braucht|findet|seht|ladet|wählt)\b",
    re.IGNORECASE,
)
# informal imperatives that once slipped in ("Lade {model} …", "Öffne die Modellverwaltung")
IMPERATIVE = re.compile(r"(^|[.:!?]\s+|\b(und|oder)\s+)(Lade|Öffne|Wähle|Klicke|Gib|Lege|Zieh|Beachte|Fang)\b")


def informal(text: str) -> list[str]:
    return [m.group(0) for m in INFORMAL.finditer(text)] + [m.group(0) for m in IMPERATIVE.finditer(text)]


def german_translations() -> list[str]:
    root = ET.parse(TS).getroot()
    texts = []
    for message in root.iter("message"):
        translation = message.find("translation")
        texts += [t for t in [translation.text or ""] + [n.text or "" for n in translation.iter("numerusform")]]
    return texts


def simulator_german() -> list[str]:
    """Every German text the simulator says (its keywords are what a user types, and may say "du")."""
    data = json.loads(TOPICS.read_text(encoding="utf-8"))
    parts = [data["fallback"]] + data["topics"]
    return [part[field]["de"] for part in parts for field in ("reasoning", "answer") if field in part]


@pytest.mark.parametrize("text, found", [
    ("Öffne dein Verzeichnis", ["dein", "Öffne"]), ("Wer bist du?", ["du"]), ("Ihr Modell", []),
    ("Verzeichnis, Produkt, Dirigent, Durchsatz", []), ("mit ihr und ihrem Modell", []),
    ("Ihr habt es", ["Ihr habt"]), ("Laden Sie ein Modell", []), ("Lade {model} …", ["Lade"]),
])
def test_the_check_itself(text, found):
    assert sorted(informal(text)) == sorted(found)


def test_the_german_translation_says_sie():
    texts = german_translations()
    assert len(texts) > 300
    assert {t: informal(t) for t in texts if informal(t)} == {}


def test_the_simulator_says_sie_in_german():
    texts = simulator_german()
    assert len(texts) >= 20
    assert {t[:60]: informal(t) for t in texts if informal(t)} == {}


def test_the_simulator_knows_it_is_asked_formally_too():
    from deepseek_desktop.engines.simulator import pick_topic

    for question in ("Wer sind Sie?", "Was sind Sie eigentlich?", "Wer bist du?"):
        assert pick_topic(question)["id"] == "identity", question
