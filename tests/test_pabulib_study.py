"""The pabulib study on the shared elections (skips without ``../shared/data``).

The README's table is the study's output pasted verbatim; recomputing it takes minutes,
so that check is marked slow. A two-district run checks the city's row against a count
made straight from the files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plurisim.studies.pabulib import run

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "pabulib"
TWO = ["Poland_Warszawa_2023_Rembertow.pb", "Poland_Krakow_2023_Czyzyny.pb"]
pytestmark = pytest.mark.skipif(
    not all((DATA / n).is_file() for n in TWO), reason=f"no Pabulib files in {DATA}"
)


def funded_share(name: str) -> float:
    """Share of voters with a selected project on their ballot, counted from the file."""
    section, selected, header, hits, voters = "", set(), [], 0, 0
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() in ("META", "PROJECTS", "VOTES"):
            section, header = line.strip(), []
            continue
        fields = line.split(";")
        if not header:
            header = fields
            continue
        if section == "PROJECTS" and fields[header.index("selected")] == "1":
            selected.add(fields[0])
        elif section == "VOTES":
            voters += 1
            hits += bool(selected & set(fields[header.index("vote")].split(",")))
    return hits / voters


def test_the_city_row_counts_voters_as_the_files_do():
    study = run(files=[DATA / n for n in TWO])
    ((_, table),) = study.tables
    city = table[table["rule"] == "city"].set_index("city")
    column = "voters with a funded approved project"
    assert city.loc["Warszawa", column] == pytest.approx(funded_share(TWO[0]))
    assert city.loc["Kraków", column] == pytest.approx(funded_share(TWO[1]))
    maximin = table[table["rule"] == "maximin"].set_index("city")["worst age group"]
    assert (maximin >= city["worst age group"] - 1e-12).all()  # maximin's very objective


@pytest.mark.long
def test_the_readme_holds_the_study_s_current_output():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- study:pabulib -->\n(.*?)<!-- /study:pabulib -->", readme, re.DOTALL)
    if found is None:
        pytest.skip("README.md has no pabulib block yet: tools/paste_studies.py pabulib")
    assert found.group(1) == run().markdown()
