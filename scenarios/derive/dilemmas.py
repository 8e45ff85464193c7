"""Derive ``dilemma-*`` scenarios from DailyDilemmas.

DailyDilemmas (Chiu et al., github.com/kellycyy/daily_dilemmas, CC-BY-4.0) describes
everyday dilemmas with two actions (to do, not to do); for each action it lists the
parties affected and the value at stake for each, and maps values onto five
theories, Moral Foundations among them. Each dilemma becomes a scenario:

* **criteria**: the five Moral Foundations, on a scale of -5..5 with 0 today;
* **interventions**: the two actions, which exclude each other (cost 1, budget 1);
* **groups**: the parties; under an action, each value the data ties to a party
  raises (or, for a value named as a failing such as "complicity", lowers) the
  party's level on that value's foundation by one;
* **weights**: each party cares about the foundations its values touch in either
  action, in proportion to how often (all five equally if none is touched);
* **base designs**: the two actions.

Run it with the data folder (the files are not part of plurisim)::

    python -m plurisim.scenarios.derive.dilemmas --data ../shared/data/dailydilemmas
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DERIVATION_VERSION", "derive_all", "main"]

DERIVATION_VERSION = "1.0"
FOUNDATIONS = ["care", "fairness", "loyalty", "authority", "purity"]
MFT_NAMES = {
    "Care": "care",
    "Fairness": "fairness",
    "Loyalty": "loyalty",
    "Authority": "authority",
    "Purity": "purity",
    "Sanctity": "purity",
}
# Values the data names as failings rather than as values upheld.
FAILINGS = (
    "complicity",
    "neglect",
    "disregard",
    "ignorance",
    "lack of",
    "disappointment",
    "struggle",
    "resentment",
)
SLUGS = {
    "55": "report-colleague",
    "107": "injured-player",
    "176": "controversial-books",
    "257": "picnic-food",
}
SOURCE = {
    "title": "DailyDilemmas: dilemmas, actions, parties and values (Chiu et al.)",
    "url": "https://github.com/kellycyy/daily_dilemmas",
    "license": "CC-BY-4.0",
}


def _list(text: str) -> list[Any]:
    if not text:
        return []
    return list(ast.literal_eval(re.sub(r"\bnan\b", "None", text)))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def _party(name: str) -> str:
    return re.sub(r"^(the|your)\s+", "", name.strip(), flags=re.I).strip() or name


def _value_map(data_dir: Path) -> dict[str, str]:
    with (data_dir / "values.csv").open(encoding="utf-8") as f:
        return {
            r["value"].strip().lower(): MFT_NAMES[r["MFT"].strip()]
            for r in csv.DictReader(f)
            if r.get("MFT", "").strip() in MFT_NAMES
        }


def derive_all(data_dir: str | Path) -> list[dict[str, Any]]:
    """One scenario (as plain data) per dilemma in the per-action sample file."""
    data = Path(data_dir)
    mft = _value_map(data)
    with (data / "dilemmas_with_detail_by_action_sample.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_dilemma: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_dilemma.setdefault(r["idx"], []).append(r)
    return [_scenario(idx, acts, mft) for idx, acts in by_dilemma.items() if len(acts) == 2]


def _scenario(idx: str, actions: list[dict[str, str]], mft: dict[str, str]) -> dict[str, Any]:
    actions = sorted(actions, key=lambda r: r["action_type"] != "to_do")  # to_do first
    ids = [_slug(a["action"]) for a in actions]
    effects: dict[str, dict[str, dict[str, float]]] = {}  # action -> party -> foundation -> delta
    touched: dict[str, dict[str, int]] = {}
    unmapped: set[str] = set()
    parties_order: list[str] = []
    for aid, act in zip(ids, actions, strict=True):
        pairs = list(zip(_list(act["parties_direct"]), _list(act["values_direct"]), strict=False))
        pairs += list(
            zip(_list(act["parties_indirect"]), _list(act["values_indirect"]), strict=False)
        )
        for party_raw, value_raw in pairs:
            if not party_raw or not value_raw:
                continue
            party = _party(str(party_raw))
            if party not in parties_order:
                parties_order.append(party)
            value = str(value_raw).strip().lower()
            foundation = mft.get(value)
            if foundation is None:
                unmapped.add(value)
                continue
            sign = -1.0 if any(w in value for w in FAILINGS) else 1.0
            cell = effects.setdefault(aid, {}).setdefault(party, {})
            cell[foundation] = cell.get(foundation, 0.0) + sign
            counts = touched.setdefault(party, {})
            counts[foundation] = counts.get(foundation, 0) + 1
    party_ids = {p: _slug(p) or f"party{n}" for n, p in enumerate(parties_order)}
    groups = []
    for party in parties_order:
        counts = touched.get(party, {})
        total = sum(counts.values())
        weights = (
            {f: round(c / total, 4) for f, c in counts.items()}
            if total
            else dict.fromkeys(FOUNDATIONS, 0.2)
        )
        groups.append(
            {
                "id": party_ids[party],
                "label": party[0].upper() + party[1:],
                "description": f"'{party}' in this dilemma.",
                "size": 1,
                "weights": weights,
                "baseline": dict.fromkeys(FOUNDATIONS, 0.0),
            }
        )
    interventions = []
    for n, (aid, act) in enumerate(zip(ids, actions, strict=True)):
        interventions.append(
            {
                "id": aid,
                "label": act["action"],
                "description": f"If chosen: {act['negative_consequence']}",
                "cost": 1.0,
                "effects": {},
                "group_effects": {
                    party_ids[p]: dict(sorted(cells.items()))
                    for p, cells in effects.get(aid, {}).items()
                },
                "excludes": [ids[1 - n]],
            }
        )
    first = actions[0]
    gpt = ", ".join(
        f"{name} chose '{first[col]}'"
        for name, col in (("GPT-3.5", "model_resp_gpt35_clean"), ("GPT-4", "model_resp_gpt4_clean"))
        if first.get(col)
    )
    slug = SLUGS.get(idx, _slug(first["basic_situation"]).replace("_", "-")[:30])
    return {
        "schema_version": 1,
        "name": f"dilemma-{slug}",
        "title": f"Dilemma: {first['basic_situation'].strip().rstrip('.')}",
        "description": first["dilemma_situation"],
        "criteria": [{"id": f, "label": f.capitalize(), "scale": [-5.0, 5.0]} for f in FOUNDATIONS],
        "groups": groups,
        "interventions": interventions,
        "budget": 1.0,
        "base_designs": [
            {"id": act["action_type"], "label": act["action"], "interventions": [aid]}
            for aid, act in zip(ids, actions, strict=True)
        ],
        "negotiation": {"rounds": 10, "quorum": 1.0},
        "provenance": {
            "sources": [SOURCE],
            "license": "CC-BY-4.0 (derived from DailyDilemmas)",
            "derived_by": f"plurisim.scenarios.derive.dilemmas {DERIVATION_VERSION}",
            "notes": (
                f"DailyDilemmas dilemma {idx} ({first['topic_group']}). In the data, {gpt}. "
                f"Values without a Moral Foundation in the data were left out: "
                f"{', '.join(sorted(unmapped)) or 'none'}."
            ),
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: write one ``dilemma-*.yaml`` per dilemma."""
    parser = argparse.ArgumentParser(prog="python -m plurisim.scenarios.derive.dilemmas")
    parser.add_argument("--data", required=True, help="the dailydilemmas folder")
    parser.add_argument(
        "--out", default=str(Path(__file__).parents[1] / "builtin"), help="output folder"
    )
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "dilemmas_with_detail_by_action_sample.csv").is_file():
        print(f"error: {data}: no dilemmas_with_detail_by_action_sample.csv", file=sys.stderr)
        return 2
    header = (
        "# Derived by plurisim.scenarios.derive.dilemmas from DailyDilemmas\n"
        "# (github.com/kellycyy/daily_dilemmas, CC-BY-4.0). Do not edit by hand: re-run the script.\n"
    )
    for scenario in derive_all(data):
        path = Path(args.out) / f"{scenario['name']}.yaml"
        path.write_text(
            header + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=100)
        )
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
