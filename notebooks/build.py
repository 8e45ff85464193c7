"""Write and execute the teaching notebooks: ``python notebooks/build.py [NAME ...]``.

The cells below are the source of the notebooks; running this script rewrites each
``.ipynb`` and executes it so that the committed notebooks show their outputs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from cells import SETUP, code, md
from lessons_more import NOTEBOOKS as MORE
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {}

NOTEBOOKS["01_values_and_conflict"] = [
    md("""
# 1. Values and where they pull apart

People can agree on facts and still disagree about what to do, because they weigh
different things. This lesson looks at *value spaces*: named dimensions in which a
person's (or a group's) priorities are written as a vector of weights.

You will see Schwartz's circle of ten basic values, measure how far apart two groups'
values are, and turn values into weights on the concrete criteria of a decision.
"""),
    SETUP,
    md("""
## Schwartz's circle

Schwartz (1992, 2012) found ten basic values that people everywhere recognize, arranged
on a circle: neighbours share a motivation, and values across the circle pull in
opposite directions. Two higher-order axes summarize it: *openness to change* versus
*conservation*, and *self-enhancement* versus *self-transcendence*.
"""),
    code("""
from plurisim.values import SCHWARTZ10, VALUELEX, MFT, conflict, signed_alignment, value_to_criteria

pd.DataFrame({
    "label": SCHWARTZ10.labels,
    "angle on the circle": SCHWARTZ10.angles,
}, index=SCHWARTZ10.dimensions)
"""),
    code("""
# Which values are neighbours, and which are opposed?
pairs = [("self_direction", "stimulation"), ("stimulation", "security"), ("power", "universalism"),
         ("benevolence", "universalism"), ("hedonism", "tradition"), ("self_direction", "power")]
pd.DataFrame([(a, b, SCHWARTZ10.relation(a, b)) for a, b in pairs], columns=["value", "value", "relation"])
"""),
    md("""
## Three groups, three value profiles

Imagine a city debating a riverside redevelopment. An environmental coalition cares
most about universalism and benevolence, a business association about achievement and
power, long-time residents about security and tradition. We write each as a weight
vector over the ten values (weights are normalized to sum 1).
"""),
    code("""
groups = {
    "environmental coalition": SCHWARTZ10.vector({"universalism": 5, "benevolence": 3, "self_direction": 2}),
    "business association": SCHWARTZ10.vector({"achievement": 4, "power": 3, "stimulation": 2, "security": 1}),
    "long-time residents": SCHWARTZ10.vector({"security": 4, "tradition": 3, "conformity": 2, "benevolence": 1}),
}
from plurisim import plots
plots.value_radar(groups)
"""),
    md("""
**Value conflict.** `conflict(u, v, space)` is 0 when two profiles coincide and grows
as their weight sits on distant parts of the circle (it uses the circle's geometry:
neighbouring values count as partly compatible, opposite ones as contrary).
"""),
    code("""
names = list(groups)
pd.DataFrame([[conflict(groups[a], groups[b], SCHWARTZ10) for b in names] for a in names], index=names, columns=names)
"""),
    code("""
pd.DataFrame({n: SCHWARTZ10.higher_order_scores(v) for n, v in groups.items()}).T
"""),
    md("""
## Other value spaces

Not every study uses Schwartz. plurisim also knows **ValueLex** (values elicited from
language models: competence, character and integrity, two sub-dimensions each) and the
five **Moral Foundations** (care, fairness, loyalty, authority, purity).
"""),
    code("""
pd.DataFrame({"ValueLex": pd.Series(VALUELEX.higher_order).map(", ".join),})
"""),
    md("""
## Judging an action: signed alignment

Some data sets label an *action* with the values it supports (+1) or opposes (-1), as
FULCRA does. `signed_alignment(valence, target)` scores how well an action fits a
profile: +1 if it supports everything the profile cares about, -1 if it opposes it all.
"""),
    code("""
# "Report the colleague": supports fairness and authority, strains loyalty.
action = [0, 1, -1, 1, 0]  # care, fairness, loyalty, authority, purity
profiles = {
    "rule-minded": MFT.vector({"fairness": 2, "authority": 2, "care": 1}),
    "loyal friend": MFT.vector({"loyalty": 3, "care": 2}),
}
{name: round(signed_alignment(action, p), 3) for name, p in profiles.items()}
"""),
    md("""
## From values to the criteria of a decision

A decision is judged on concrete criteria (here, the four criteria of a small park).
A *value-to-criteria* mapping says which criteria serve each value; a group's criteria
weights follow from its values. This is how a scenario file can describe a group by
its values instead of by criteria weights.
"""),
    code("""
criteria = ["accessibility", "comfort", "greenery", "activity"]
mapping = np.zeros((SCHWARTZ10.n_dims, 4))
mapping[SCHWARTZ10.index("universalism")] = [0, 0, 1, 0]
mapping[SCHWARTZ10.index("benevolence")] = [1, 1, 0, 0]
mapping[SCHWARTZ10.index("security")] = [1, 1, 0, 0]
mapping[SCHWARTZ10.index("tradition")] = [0, 1, 1, 0]
mapping[SCHWARTZ10.index("stimulation")] = [0, 0, 0, 1]
mapping[SCHWARTZ10.index("achievement")] = [0, 0, 0, 1]
mapping[SCHWARTZ10.index("power")] = [1, 0, 0, 1]
mapping[SCHWARTZ10.index("self_direction")] = [0, 0, 1, 1]
mapping[SCHWARTZ10.index("conformity")] = [0, 1, 0, 0]
pd.DataFrame({n: value_to_criteria(v, mapping) for n, v in groups.items()}, index=criteria).T
"""),
    md("""
The environmental coalition and the business association end up weighting almost
disjoint criteria: their *value* conflict becomes a conflict over *what to fund*. The
next lessons follow such conflicts into negotiations.

## Exercises

1. Add a fourth group, "young families" (benevolence, security, stimulation). Which
   existing group is it closest to by `conflict`? Is that what you expected?
2. Find two one-value profiles whose conflict is as large as possible. Where do those
   values sit on the circle?
3. Change the mapping so that *tradition* serves greenery only. How do the residents'
   criteria weights change, and why?
"""),
]

NOTEBOOKS["02_negotiating_a_street"] = [
    md("""
# 2. Negotiating a street

Street i08 in Montreal (4250 Rue René Goupil) was rated the lowest of 20 streets by six
personas in the StreetReview study. With a budget that pays for about a third of the
possible upgrades, which should be funded? This lesson runs plurisim's negotiation:
a neutral mediator proposes packages, the personas accept or push back, round by round.
"""),
    SETUP,
    code("""
from plurisim import scenarios, negotiate, plots, compile_scenario
from plurisim.scenario import scenario_text

scenario = scenarios.load("montreal-streets")
print(scenario_text(scenario))
"""),
    md("""
The six groups rated practicality, inclusivity, aesthetics and accessibility from 1 to
4. Their *weights* say how much each criterion matters to them; the *baseline* is how
they rate the street today; each intervention's *effects* (estimated from how the
personas rated streets that already have it) differ by group: the table "Effect on
each group where it differs" lists them. Seven base designs were drawn up by concept.
"""),
    code("""
from plurisim.mechanisms import base_design_outcomes
from plurisim.evaluation import evaluate

problem = compile_scenario(scenario, seed=0)
designs = evaluate(problem, base_design_outcomes(problem))
designs[["cost", "total_utility", "worst_group_utility", "p20_satisfaction", "gini"]]
"""),
    md("""
The **reference design** is the best of these on the public rubric (total utility):
*Lively street*. No group will be offered less than it gets there.

The 20th-percentile satisfaction is relative: each group's utility is rescaled from
0 (its lowest) to 1 (its highest) *over the outcomes in the table*, then the 20th
percentile over the groups is taken. The same design scores differently beside other
outcomes; every table says what it was normalised over.

## Running the negotiation
"""),
    code("""
result = negotiate(scenario, seed=0)
print(result)
"""),
    code("""
display(Markdown(result.to_markdown()))
"""),
    md("""
The transcript shows every proposal, each group's satisfaction and aspiration, its
answer and demand, how the mediator priced each demand (what funding it would cost
every group), and how the mediator's weights moved. Here the mediator's first proposal
is already close to every group's ideal; one group holds out for a bus stop, the
mediator finds that funding it would lower the total, and after a few rounds everyone
accepts.
"""),
    code("""
plots.rounds(result)
"""),
    md("""
## The four headline numbers

The Negotiative Alignment study reported that negotiation raised total utility,
worst-group utility and 20th-percentile satisfaction, and lowered the Gini coefficient,
compared with the best base design. Does our protocol agree on this data?
"""),
    code("""
keys = ["total_utility", "worst_group_utility", "p20_satisfaction", "gini"]
pd.DataFrame({"best base design": [result.reference_metrics[k] for k in keys],
              "negotiated": [result.metrics[k] for k in keys]}, index=keys)
"""),
    code("""
from plurisim.comparison import compare

comparison = compare(scenario, seed=0)
print(comparison.satisfaction_note())
comparison.frame[["kind", "total_utility", "worst_group_utility", "p20_satisfaction", "gini"]]
"""),
    code("""
plots.group_utilities(comparison, ["Lively street", "Accessibility first", "negotiated", "maximin", "mes"])
"""),
    md("""
With sixteen outcomes side by side, the Lorenz curves colour a few (the reference, the
negotiated package, the most and the least equal) and draw the rest in grey;
`highlight=[...]` chooses others.
"""),
    code("""
plots.lorenz(comparison)
"""),
    md("""
The negotiated package is the one maximin and the utilitarian rule also choose: in
this data the personas largely agree on what helps most, and the concept-driven base
designs leave value on the table.

## Many people, and deliberation

With `stakeholders="individuals"` every one of the 60 individuals negotiates, each with
weights drawn around their group's. With `deliberation=True` they also talk between
rounds on a social graph: beliefs about how well interventions work are averaged with
neighbours, while values move only a little (people are anchored to their own).
"""),
    code("""
talking = negotiate(scenario, seed=1, stakeholders="individuals", deliberation=True, rounds=20)
talking.rounds_table[["round", "acceptance_share", "information_gap", "value_conflict"]]
"""),
    code("""
plots.deliberation(talking)
"""),
    md("""
Discussion narrows the information gap quickly while the value conflict barely moves,
the pattern the Negotiative Alignment study observed.

## Exercises

1. Make every group a Boulware negotiator (`concession="boulware"`). How many rounds
   does agreement take now, and does the package change?
2. Require only 70% of the population to agree (`quorum=0.7`) with individual
   stakeholders. What changes in the transcript?
3. Raise the stubbornness in deliberation (`deliberation={"stubbornness": 0.95}`). What
   happens to the value conflict curve? To the information gap?
"""),
]

NOTEBOOKS["03_svo_and_value_rationality"] = [
    md("""
# 3. Social Value Orientation and value rationality

How much does a person weigh others' outcomes against their own? The **Social Value
Orientation** (SVO) Slider Measure (Murphy, Ackermann and Handgraaf, 2011) asks six
questions, each a choice among nine ways to split points between oneself and another.
The answers give an *angle*: 0 degrees cares only about oneself, 45 degrees about both
equally, 90 degrees only about the other.

The HVAE study (Zhang et al., 2023) asked language models to *take on* a target SVO and
checked whether their answers revealed it: their **value rationality**.
"""),
    SETUP,
    code("""
from plurisim import svo, plots
items = pd.DataFrame({f"item {i + 1}": [f"({s}, {o})" for s, o in zip(*item)] for i, item in enumerate(svo.ITEMS)},
                     index=list(svo.OPTIONS))
items
"""),
    code("""
answers = svo.ideal_type_choices()
pd.DataFrame({"answers": answers, "angle": {k: svo.svo_angle(v) for k, v in answers.items()}})
"""),
    md("""
These are the *ideal types*: always maximize the other's payoff (altruistic), minimize
the difference (prosocial), maximize one's own (individualistic), or maximize the
difference (competitive). The categories are half-open intervals of the angle:
"""),
    code("""
pd.DataFrame(svo.CATEGORIES, index=["above", "up to"]).T
"""),
    code("""
[(a, svo.svo_category(a)) for a in (57.15, 57.16, 22.45, 22.46, -12.04)]
"""),
    md("""
## Agents with a target SVO

A rule-based `SVOAgent` is given a target angle and answers each item by a softmax over
its SVO utility: `rationality` sets how sharply it prefers the best option. Its
`neutral_pull` drags its target toward the prosocial/individualistic boundary, the
drift HVAE reported in language models.
"""),
    code("""
results = svo.run_experiment(n_agents=30, rationality=1.0, neutral_pull=0.0, seed=0)
svo.summarize(results)[["target_angle", "mean_angle", "value_rationality", "category_accuracy"]]
"""),
    code("""
plots.svo_circle(results)
"""),
    code("""
drifting = svo.run_experiment(n_agents=30, rationality=1.0, neutral_pull=0.6, seed=0)
plots.confusion(svo.confusion_matrix(drifting))
"""),
    md("""
With a strong pull toward neutral, altruistic and competitive agents are measured as
prosocial or individualistic: their value rationality falls. How fast?
"""),
    code("""
pulls = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
vr = pd.DataFrame({p: svo.summarize(svo.run_experiment(n_agents=20, rationality=1.0, neutral_pull=p, seed=1))
                   ["value_rationality"] for p in pulls}).T
vr.index.name = "neutral pull"
vr.plot(marker="o", ylabel="value rationality", title="Value rationality as the pull to neutral grows");
"""),
    md("""
## SVO in a negotiation

Do prosocial groups reach agreement sooner? `negotiation_study` runs the same
negotiation under four population mixes.
"""),
    code("""
from plurisim import scenarios
contested = scenarios.generate(6, 12, 4, 0.6, 0.3, seed=3)
from plurisim.studies.svo import negotiation_study

study = negotiation_study(contested, seeds=10)
study.groupby("mix")[["agreement", "rounds", "worst_group_utility", "gini"]].mean()
"""),
    code("""
plots.svo_negotiations(study)
"""),
    md("""
Here prosocial populations agree in about half the rounds of individualistic ones, and
a single competitive group holds everyone up; the package agreed on barely changes.

## Exercises

1. Set `rationality=0.2`. Which category is hardest to reveal, and why might that be?
2. Target an angle that is *not* attainable by any set of answers, such as 25 degrees.
   What angle do rational agents reveal instead?
3. Make a population mix of your own: `plurisim.negotiate(contested, seed=s,
   svo=angles)` takes one SVO angle per group, in degrees (for example two
   competitive groups, `[-30, -30, 45, 45, 45, 45]`). Over seeds 0-9, how do the rounds
   and the agreement rate compare with the four mixes above?
"""),
]

NOTEBOOKS["04_fairness_tradeoffs"] = [
    md("""
# 4. Fairness trade-offs: what each rule sacrifices

A budget can be spent to make the total as large as possible, to lift the worst-off,
to split fairly between groups in proportion to their size, or to balance gains.
Each classic rule is a different answer, and none wins on every measure. This lesson
puts them side by side on a participatory budget.
"""),
    SETUP,
    code("""
from plurisim import scenarios, plots
from plurisim.comparison import compare

budget = scenarios.load("community-budget")
result = compare(budget, mechanisms=["utilitarian", "maximin", "leximin", "nash", "kalai_smorodinsky", "greedy", "mes"])
print(result.satisfaction_note())
result.frame[["cost", "total_utility", "worst_group_utility", "p20_satisfaction", "gini", "pareto_dominated"]]
"""),
    code("""
result.frame.filter(like="u:")
"""),
    md("""
* The **utilitarian** rule maximizes the sum: downtown and students gain, newcomers stay low.
* **Maximin** lifts the newcomers (the worst off) and gives up total utility.
* The **Method of Equal Shares** gives every person an equal share of the budget to
  spend on what they like: large communities decide more, in proportion.
* **Nash** balances gains multiplicatively, between the two.
"""),
    code("""
plots.group_utilities(result, ["Neighbourhoods plan", "utilitarian", "maximin", "nash", "mes"])
"""),
    code("""
plots.lorenz(result, ["utilitarian", "maximin", "nash", "mes"])
"""),
    md("""
## The Pareto frontier with two groups

With two groups every package is a point in a plane. Packages on the frontier cannot
make one group better off without making the other worse off. Each rule picks a point;
which one depends on what it values.
"""),
    code("""
from plurisim.problem import Problem
from plurisim import mechanisms

two = Problem.from_arrays(
    costs=[2, 3, 4, 4, 1, 1, 4, 4], budget=10.35,
    baseline=[[1, 1], [1, 1]], caps=[5, 5],
    effects=[[[0.5, 0], [0, 0], [1.2, 0], [0.6, 0], [0.8, 0.3], [0, 0], [1.1, 0], [0.8, 0]],
             [[0.1, 1.1], [0.3, 0], [0, 0.7], [0, 1.5], [0, 1.4], [0.3, 0], [0.4, 0.8], [0, 0]]],
    weights=[[0.7, 0.3], [0.3, 0.7]], sizes=[30, 10], groups=["majority", "minority"],
)
picks = [mechanisms.run(two, r) for r in ("utilitarian", "maximin", "nash", "kalai_smorodinsky", "mes")]
plots.pareto(two, picks)
"""),
    code("""
pd.DataFrame({o.mechanism: two.group_utilities(o.mask(two)) for o in picks}, index=two.groups).T
"""),
    md("""
The utilitarian point sits where the frontier touches a line of slope -1 (Nash picks
the same package here); maximin takes the most equal point of the frontier; Kalai-
Smorodinsky gives each group the same share of what it could gain at best. Equal
Shares is not on the frontier at all: it spends each voter's equal share on what that
voter likes (the majority holds three quarters of the budget), rather than optimizing
a welfare function, and here that leaves a better package for both groups unchosen.

## Exercises

1. Run `compare` with `utilitarian` weighted by population
   (`params={"utilitarian": {"weighting": "population"}}`). Who gains and who loses?
2. In the two-group example, double the minority's size. Which rules change their
   pick, and which cannot (and why)?
3. Add `completion="utilitarian"` to `mes`. How much of the budget does Equal Shares
   leave unspent without it?
"""),
]

NOTEBOOKS["05_llm_agents"] = [
    md("""
# 5. LLM-backed agents

Stakeholders can argue for their group in words, and the mediator can explain its
proposals, through a language model. Every number still comes from the solver, so LLM
and rule-based runs are scored by the same evaluator. This notebook uses the offline,
deterministic `ScriptedChatModel` (no provider, no network); the end shows how to plug
in a real model.
"""),
    SETUP,
    code("""
from plurisim import negotiate, scenarios
from plurisim.agents.llm import ScriptedChatModel, FaultyChatModel, llm_policies

street = scenarios.load("montreal-streets")
stakeholders, mediator = llm_policies(ScriptedChatModel())
result = negotiate(street, seed=0, stakeholder_policy=stakeholders, mediator_policy=mediator)
print(result)
result.details["llm"]
"""),
    code("""
first = result.transcript[1]
pd.DataFrame(first["responses"])[["stakeholder", "accept", "demand", "argument", "source"]]
"""),
    code("""
display(Markdown(result.to_markdown().split("## Round 2")[0]))
"""),
    md("""
## When the model misbehaves

Real models time out, return text that is not JSON, refuse, or name interventions that
do not exist. `FaultyChatModel` injects such faults at a chosen rate. Each call is
retried; after the last attempt the agent follows the rule-based policy for that round,
and the transcript says so.
"""),
    code("""
faulty = FaultyChatModel(fault_rate=0.3, seed=1, hang=2.0)
stakeholders, mediator = llm_policies(faulty, timeout=0.2, backoff=0.0)
shaky = negotiate(street, seed=0, stakeholder_policy=stakeholders, mediator_policy=mediator)
print(shaky)
shaky.details["llm"]
"""),
    code("""
answers = pd.DataFrame([r for e in shaky.transcript[1:] for r in e["responses"]])
answers["source"].value_counts()
"""),
    md("""
## The SVO test with a language model

The HVAE protocol runs in three steps in one conversation: list the traits of a person
with the target value, state the goal in the coin-dividing task, answer the six items.
The scripted model can imitate the drift toward neutral values that HVAE found.
"""),
    code("""
from plurisim import svo, plots
from plurisim.agents.llm import LLMRespondent, LLMRuntime

runtime = LLMRuntime(ScriptedChatModel(neutral_pull=0.4))
hvae = svo.run_experiment(n_agents=5, respondent=lambda angle: LLMRespondent(angle, runtime))
svo.summarize(hvae)[["target_angle", "mean_angle", "value_rationality", "category_accuracy", "unparseable_answers"]]
"""),
    code("""
plots.svo_circle(hvae)
"""),
    md("""
## Plugging in a real provider

Install the provider's LangChain package, set its key, and pass a model id (any id
`langchain.chat_models.init_chat_model` understands) or a chat model object:

```python
# pip install langchain-openai ; export OPENAI_API_KEY=...
stakeholders, mediator = llm_policies("openai:gpt-4o-mini", concurrency=6, timeout=60)
result = negotiate(street, seed=0, stakeholder_policy=stakeholders, mediator_policy=mediator)

# or any LangChain chat model object, for example a local one:
# from langchain_ollama import ChatOllama
# stakeholders, mediator = llm_policies(ChatOllama(model="llama3"))
```

From the command line: `plurisim run montreal-streets --llm openai:gpt-4o-mini`.

## Exercises

1. Raise the fault rate to 0.6. How many answers fall back to the rule-based policy?
   Does the agreed package change?
2. Call `llm_policies(..., mediator=False)` so only stakeholders talk. What disappears from the
   transcript?
3. With `ScriptedChatModel(neutral_pull=...)`, find the pull at which altruistic
   respondents are first measured as prosocial.
"""),
]


def build(name: str, execute: bool = True) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = NOTEBOOKS[name]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    if execute:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    path = HERE / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


NOTEBOOKS.update(MORE)


if __name__ == "__main__":
    # Lesson 6 reads a real election only when asked to; the committed notebook shows
    # the invented one, so no Pabulib data enters the repository.
    os.environ.pop("PLURISIM_PABULIB", None)
    for name in sys.argv[1:] or list(NOTEBOOKS):
        print("built", build(name))
