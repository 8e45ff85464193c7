"""Participatory-budgeting elections from Pabulib ``.pb`` files.

Pabulib (Stolicki, Szufa and Talmon, "Pabulib: A Participatory Budgeting Library",
arXiv 2012.06539; format at pabulib.org/format) stores one election per file in
three sections, each a header line and then one ``;``-separated line per entry;
fields may be quoted (``"..."``, a quote doubled inside) and list fields (a vote, a
project's categories) separate their items with commas::

    META                      key;value lines: budget, vote_type, num_votes, ...
    PROJECTS                  project_id;cost;... (name, category, selected, votes...)
    VOTES                     voter_id;vote;... (points, age, sex, voting_method...)

:func:`read_election` reads a file into an :class:`Election` of read-only arrays
(ballots in compressed sparse row form), refusing a malformed file with one
:class:`~plurisim.errors.InputError` that names the file, the line and the field;
dirty but valid data (an age of 110 or none, an unknown sex code) is kept and
counted in :attr:`Election.summary`. :func:`profile` turns an election into the
numbers a problem is compiled from: costs, budget, sparse voter utilities and voter
groups from any voter attribute. :func:`election_scenario` (and :func:`load_pb`, from a
path) makes it a :class:`~plurisim.scenario.Scenario` whose stakeholders are the
voters, with the city's outcome as the base design ``city``.

Vote types: ``approval`` (and ``choose-1``) ballots are sets; ``ordinal`` ballots
rank projects, most preferred first, with the file's ``points`` or, where it has
none, Borda positions (k, k-1, ..., 1 on a ballot of length k, which is what
Pabulib's own ``score`` column holds); ``cumulative`` and ``scoring`` ballots give
``points``.

Examples
--------
>>> from plurisim.scenarios.pabulib import parse_election, profile
>>> text = '''META
... key;value
... budget;10
... vote_type;ordinal
... PROJECTS
... project_id;cost
... a;4
... b;6
... c;5
... VOTES
... voter_id;vote;sex
... 1;b,a,c;F
... 2;c;M
... '''
>>> election = parse_election(text, source="ranked.pb")
>>> election.ballots.points.tolist()           # Borda positions
[3.0, 2.0, 1.0, 1.0]
>>> p = profile(election, groups="sex")
>>> p.votes.tolist(), p.group_ids
([2.0, 3.0, 2.0], ('F', 'M'))
>>> parse_election(text.replace("budget;10", "budget;-10"), source="ranked.pb")
Traceback (most recent call last):
...
plurisim.errors.InputError: ranked.pb:3: budget: must be a positive number; got '-10'
"""

from __future__ import annotations

from plurisim.scenarios.pabulib._election import (
    KNOWN_SEX,
    PLAUSIBLE_AGE,
    Ballots,
    Election,
    ElectionSummary,
    Projects,
    Voters,
)
from plurisim.scenarios.pabulib._profile import AGE_BRACKETS, BallotProfile, profile
from plurisim.scenarios.pabulib._reader import MAX_BYTES, parse_election, read_election
from plurisim.scenarios.pabulib._scenario import CITY, election_scenario, load_pb

__all__ = [
    "AGE_BRACKETS",
    "CITY",
    "KNOWN_SEX",
    "MAX_BYTES",
    "PLAUSIBLE_AGE",
    "BallotProfile",
    "Ballots",
    "Election",
    "ElectionSummary",
    "Projects",
    "Voters",
    "election_scenario",
    "load_pb",
    "parse_election",
    "profile",
    "read_election",
]
