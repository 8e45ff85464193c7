"""Scenario files: the schema, safe loading, cross-field checks and compilation to arrays.

A scenario describes who negotiates (groups with value vectors), over what
(interventions with costs and effects on criteria) and under which budget. This
package validates scenario files with messages that name the file, the field, the
bad value and what is allowed (:mod:`~plurisim.scenario.schema`,
:mod:`~plurisim.scenario.checks`, :mod:`~plurisim.scenario.messages`), reads them
from disk (:mod:`~plurisim.scenario.loading`) and compiles them into the numeric
:class:`~plurisim.problem.Problem` every solver works on
(:mod:`~plurisim.scenario.compiler`).

Examples
--------
>>> from plurisim.scenario import Scenario, compile_scenario
>>> s = Scenario.from_yaml('''
... schema_version: 1
... name: tiny
... title: A tiny example
... criteria: [{id: comfort, scale: [1, 5]}]
... groups: [{id: everyone, size: 3, weights: {comfort: 1}, baseline: {comfort: 2}}]
... interventions: [{id: bench, cost: 10, effects: {comfort: 1.5}}]
... budget: 10
... ''')
>>> compile_scenario(s).group_utilities([1])
array([3.5])
"""

from __future__ import annotations

from plurisim.scenario.compiler import compile_scenario
from plurisim.scenario.loading import load_scenario
from plurisim.scenario.schema import (
    SCHEMA_VERSION,
    BaseDesign,
    Criterion,
    Group,
    Intervention,
    NegotiationDefaults,
    Provenance,
    Scenario,
    Source,
    UtilitySpec,
    ValueSpec,
    ValueToCriteria,
    scenario_json_schema,
)
from plurisim.scenario.text import scenario_text

__all__ = [
    "SCHEMA_VERSION",
    "BaseDesign",
    "Criterion",
    "Group",
    "Intervention",
    "NegotiationDefaults",
    "Provenance",
    "Scenario",
    "Source",
    "UtilitySpec",
    "ValueSpec",
    "ValueToCriteria",
    "compile_scenario",
    "load_scenario",
    "scenario_json_schema",
    "scenario_text",
]
