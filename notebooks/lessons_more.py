"""The sources of lessons 6 (a real participatory budget) and 7 (three protocols)."""

from __future__ import annotations

import nbformat
from cells import SETUP, code, md

NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {}

NOTEBOOKS["06_a_real_election"] = [
    md("""
# 6. A real participatory budget

In participatory budgeting a city lets residents vote on how to spend part of its
budget: residents propose projects, every voter approves (or ranks) the ones they
like, and a rule turns the ballots into the projects funded. Hundreds of such
elections are published in the **Pabulib** format (Stolicki, Szufa and Talmon,
arXiv 2012.06539): a `.pb` file with three sections, `META`, `PROJECTS` and `VOTES`.

plurisim reads a `.pb` file as a scenario: every project becomes an intervention, every
voter a stakeholder whose utility comes from the ballot, and the voters' age brackets
form the groups. This lesson compares the rule most cities use, greedy by votes, with
the Method of Equal Shares, measures what each gives the voters, and lets the voters
themselves negotiate.

**Which election?** Pabulib files carry no licence, so none ships with plurisim.
This lesson writes a small invented district to a temporary folder and uses it. To
run it on a real election, download a `.pb` file from pabulib.org and set `PB_FILE`
in the next cell to its path; or start Jupyter with the environment variable
`PLURISIM_PABULIB` set to a folder of Pabulib files, and the lesson takes Warsaw's
smallest 2023 district, Wesoła, from it (a few seconds per cell).
"""),
    SETUP,
    code("""
import os
import tempfile
from pathlib import Path

PB_FILE = None  # the path of a real .pb file, to use it instead of the invented district
folder = os.environ.get("PLURISIM_PABULIB")
if PB_FILE is None and folder and (Path(folder) / "Poland_Warszawa_2023_Wesola.pb").exists():
    PB_FILE = Path(folder) / "Poland_Warszawa_2023_Wesola.pb"
"""),
    md("""
## An invented district

Twelve projects, a budget of 600,000 and 500 voters in four age brackets who approve
projects with different likelihoods (the young the skate park and the bike lane, the
old the benches and the health checks). The city funds the projects with the most
votes, skipping any that no longer fits: the `selected` column.
"""),
    code("""
def write_example_election(path, n_voters=500, seed=0):
    rng = np.random.default_rng(seed)
    projects = [  # id, name, cost, how likely each age bracket approves it (18-29, 30-44, 45-59, 60+)
        ("p01", "Skate park by the river", 160_000, (0.55, 0.20, 0.08, 0.02)),
        ("p02", "Benches and shade on the main street", 40_000, (0.10, 0.20, 0.30, 0.55)),
        ("p03", "Health checks for seniors", 60_000, (0.02, 0.05, 0.15, 0.50)),
        ("p04", "Playground renovation", 120_000, (0.15, 0.55, 0.20, 0.10)),
        ("p05", "Protected bike lane", 220_000, (0.45, 0.35, 0.15, 0.05)),
        ("p06", "Library e-books", 20_000, (0.20, 0.20, 0.25, 0.30)),
        ("p07", "Street trees", 90_000, (0.25, 0.30, 0.35, 0.35)),
        ("p08", "Outdoor concerts", 70_000, (0.40, 0.20, 0.15, 0.10)),
        ("p09", "Safer crossings near the school", 110_000, (0.10, 0.50, 0.25, 0.20)),
        ("p10", "Community garden", 50_000, (0.10, 0.15, 0.30, 0.35)),
        ("p11", "Free Wi-Fi in the park", 30_000, (0.45, 0.20, 0.10, 0.03)),
        ("p12", "Dog run", 80_000, (0.15, 0.25, 0.25, 0.10)),
    ]
    budget = 600_000
    bracket = rng.choice(4, size=n_voters, p=[0.25, 0.30, 0.25, 0.20])
    age = np.array([18, 30, 45, 60])[bracket] + rng.integers(0, [12, 15, 15, 25])[bracket]
    appeal = np.array([p[3] for p in projects])  # (projects, brackets)
    approve = rng.random((n_voters, len(projects))) < appeal[:, bracket].T
    for i in np.flatnonzero(~approve.any(axis=1)):  # everyone approves at least one project
        approve[i, appeal[:, bracket[i]].argmax()] = True
    votes = approve.sum(axis=0)
    selected, spent = set(), 0  # the city funds by votes, skipping what no longer fits
    for j in np.argsort(-votes, kind="stable"):
        if spent + projects[j][2] <= budget:
            selected.add(j)
            spent += projects[j][2]
    lines = ["META", "key;value", "description;An invented district for plurisim's lesson 6",
             "country;Nowhere", "unit;Example city", "instance;2024",
             f"num_projects;{len(projects)}", f"num_votes;{n_voters}", f"budget;{budget}",
             "vote_type;approval", "rule;greedy",
             "PROJECTS", "project_id;cost;votes;name;selected"]
    lines += [f"{pid};{cost};{votes[j]};{name};{int(j in selected)}"
              for j, (pid, name, cost, _) in enumerate(projects)]
    lines += ["VOTES", "voter_id;vote;age"]
    lines += [f"v{i};{','.join(projects[j][0] for j in np.flatnonzero(approve[i]))};{age[i]}"
              for i in range(n_voters)]
    Path(path).write_text("\\n".join(lines) + "\\n", encoding="utf-8")


if PB_FILE is None:
    PB_FILE = Path(tempfile.mkdtemp()) / "example_district.pb"
    write_example_election(PB_FILE)
    print("\\n".join(PB_FILE.read_text(encoding="utf-8").splitlines()[:16]), "\\n...")
"""),
    md("""
## The election as a scenario

`scenarios.load` reads the file; `groups="age"` forms the groups from the voters' ages
(brackets 18-29, 30-44, 45-59, 60+, and "unknown" for a missing or implausible age).
With approval ballots a voter's utility is the share of the budget spent on projects
they approved. What the city funded becomes the base design `city`. The last table
shows what each project is worth to each age group: its voters' mean utility.
"""),
    code("""
from plurisim import scenarios, compile_scenario, negotiate, plots
from plurisim.scenario import scenario_text

election = scenarios.load(PB_FILE, groups="age")
print(scenario_text(election))
"""),
    md("""
## Greedy by votes against Equal Shares

**Greedy by votes** funds the most popular projects first: a project approved by a
slight majority of every group can take the whole budget. The **Method of Equal
Shares** (Peters and Skowron) gives every voter an equal share of the budget and funds
a project only when its supporters can pay for it from their shares, so a group of a
quarter of the voters decides about a quarter of the money (`completion="add1"`
raises the shares until the budget is used, as cities that adopted it do). Maximin
over the age groups is there for contrast.
"""),
    code("""
from plurisim.comparison import compare

problem = compile_scenario(election, seed=0)
rules = compare(problem, mechanisms=["greedy", "mes", "maximin"], params={"mes": {"completion": "add1"}})
rules.frame[["cost", "budget_used", "total_utility", "worst_group_utility", "voters_with_funded_approval", "gini_voters"]]
"""),
    code("""
labels = dict(zip(problem.interventions, problem.intervention_labels))
chosen = {name: set(package.split("; ")) for name, package in rules.frame["package"].items()}
pd.DataFrame({name: ["x" if p in ids else "" for p in problem.interventions] for name, ids in chosen.items()},
             index=[labels[p][:40] for p in problem.interventions])
"""),
    md("""
On the invented district greedy by votes picks exactly what the city funded (it is
the city's rule). Equal Shares leaves out the two most expensive projects the city
funded and funds several cheaper ones that smaller groups of voters asked for.

## What the voters get

`plurisim.ballot_metrics` measures a package on the ballots themselves: the share of
voters with at least one funded project they approved, the Gini coefficient over the
voters' utilities, and, per group, the mean share of the spent money that went to
projects the group's voters approved.
"""),
    code("""
from plurisim.ballot_metrics import ballot_metrics

pd.DataFrame({name: ballot_metrics(problem.ballots, problem.costs, problem.groups, problem.mask(sorted(ids)))
              for name, ids in chosen.items()}).T
"""),
    code("""
plots.group_utilities(rules, title="Each age group's mean voter utility")
"""),
    md("""
## The voters as stakeholders

With `stakeholders="individuals"` every voter negotiates, with the utility of their own
ballot; the city's outcome stands without agreement (`disagreement="city"`). Hundreds
of voters hardly ever all agree: almost any change to the city's package makes some
voter worse off. Asking for a quorum of 60% of the voters instead:
"""),
    code("""
unanimity = negotiate(problem, seed=0, stakeholders="individuals", disagreement="city")
quorum = negotiate(problem, seed=0, stakeholders="individuals", disagreement="city", quorum=0.6)
print(unanimity, quorum, sep="\\n\\n")
"""),
    code("""
ax = unanimity.rounds_table.plot(x="round", y="acceptance_share", marker="o", label="voters accepting",
                                 ylabel="share of voters", title="Who accepts the mediator's proposals")
ax.axhline(0.6, color="black", linestyle=":", label="a quorum of 60%")
ax.set_ylim(0, 1)
ax.legend();
"""),
    md("""
On the invented district the package the quorum accepts is not the one with the most
votes: it gives up some total utility, and the inequality between the age groups
(Gini) shrinks.

## Exercises

1. Load the file with `utility="cardinality"` (a voter counts the funded projects they
   approved instead of the money spent on them). Does Equal Shares change its choice?
2. Which age group does greedy by votes serve worst? Does Equal Shares change which
   group is worst off?
3. Point `PB_FILE` at a real election from pabulib.org. Does greedy by votes reproduce
   what the city funded (`city`)? How far apart are greedy and Equal Shares there?
"""),
]

NOTEBOOKS["07_three_protocols"] = [
    md("""
# 7. Three ways to negotiate, and when they fail

The mediated negotiation of lesson 2 is one protocol among several. plurisim runs
three on the same stakeholders, messages and evaluator:

* **mediated**: a neutral mediator proposes the package that best serves the
  stakeholders as it estimates them, and raises the weight of those who reject;
* **single text** (Raiffa; Klein et al.): the mediator changes one intervention of a
  single text at a time, and a change stands only if everyone accepts it;
* **alternating offers** (Aydoğan et al.): the stakeholders take turns to offer the
  package that suits the others best among those they can live with themselves.

Under **private information** (the default) nobody knows the others' weights: the
mediator learns them from answers. A negotiation may also **fail**: without agreement
the disagreement point stands, and the result says so.
"""),
    SETUP,
    code("""
from plurisim import negotiate, plots, registry, scenarios
from plurisim.comparison import compare

info = registry.get("negotiative")
pd.DataFrame([(n, info.param(n).default, info.param(n).describe())
              for n in ("protocol", "information", "disagreement", "aspiration_floor", "concession", "patience")],
             columns=["parameter", "default", "allowed"])
"""),
    md("""
## Agreement over many seeds

A single run says little: the stakeholders' pace of concession and the order of their
demands depend on the seed. Six polarized groups (the generator's `polarization=0.8`),
twelve interventions and a budget for about a third of them, twelve seeds per protocol:
"""),
    code("""
contested = scenarios.generate(6, 12, 4, polarization=0.8, budget_share=0.3, seed=5)
PROTOCOLS = ["mediated", "single-text", "alternating-offers"]
runs = pd.DataFrame([
    {"protocol": protocol, "seed": seed, "agreement": r.agreement, "rounds": r.rounds,
     "total": r.metrics["total_utility"], "worst group": r.metrics["worst_group_utility"],
     "gini": r.metrics["gini"]}
    for protocol in PROTOCOLS for seed in range(12)
    for r in [negotiate(contested, seed=seed, protocol=protocol, information="private")]
])
runs.groupby("protocol", sort=False)[["agreement", "rounds", "total", "worst group", "gini"]].mean()
"""),
    code("""
rules = compare(contested, mechanisms=["utilitarian", "maximin"]).frame
rules[["total_utility", "worst_group_utility", "gini"]]
"""),
    code("""
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, column, key in zip(axes, ["total", "worst group"], ["total_utility", "worst_group_utility"]):
    runs.boxplot(column=column, by="protocol", ax=ax, grid=False, rot=15)
    for name, style in (("utilitarian", "--"), ("maximin", ":")):
        ax.axhline(rules.loc[name, key], color="black", linestyle=style, label=name)
    ax.set_title(column)
    ax.set_xlabel("")
fig.suptitle("Outcomes over 12 seeds, beside the utilitarian and maximin packages")
axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1));
"""),
    md("""
The protocols differ in pace and in what they reach. The single text moves one
intervention at a time: it needs more rounds, it stops at packages that no single
change improves for everyone, and it may not agree before the deadline (its failures
leave the disagreement point, which counts in the means). The mediator and the
alternating offers search the whole space of packages and land near the utilitarian
package; maximin would give the worst-off group more.

## What private information costs

With `information="public"` the mediator knows every weight. The mediator's
estimation error (the mean over groups of half the L1 distance between its estimate
and the true weights) shrinks as the answers come in:
"""),
    code("""
private = negotiate(contested, seed=0, information="private")
public = negotiate(contested, seed=0, information="public")
pd.DataFrame({"private": private.rounds_table.set_index("round")["estimation_error"],
              "public": public.rounds_table.set_index("round")["estimation_error"]}).plot(
    marker="o", ylabel="estimation error", title="What the mediator knows of the weights");
"""),
    md("""
## An honest failure

On `community-budget`, with the best base design as the disagreement point, no
package leaves every group at least as well off as that design except the design
itself. No protocol can then find an agreement, and none pretends to: the result says
`agreement = False`, why it stopped, and the design stands. From the status quo, which
every package leaves every group at least as well off as, all three agree.
"""),
    code("""
budget = scenarios.load("community-budget")
pd.DataFrame([
    {"protocol": protocol, "disagreement point": d, "agreement": r.agreement,
     "stopped by": r.stop_reason, "rounds": r.rounds, "package": ", ".join(r.package)}
    for d in ("best-base-design", "status-quo") for protocol in PROTOCOLS
    for r in [negotiate(budget, seed=0, protocol=protocol, disagreement=d)]
])
"""),
    md("""
## One parameter that decides: the aspiration floor

Each stakeholder's aspiration falls from 1 (its best package) towards a floor over the
rounds. With a floor of 0 it ends up accepting anything that leaves it no worse off
than the disagreement point; with a floor of 0.5 it insists on half of what it could
gain at best. How does that move agreement and the worst-off group?
"""),
    code("""
raised = pd.DataFrame([
    {"aspiration floor": floor, "protocol": protocol, "seed": seed, "agreement": r.agreement,
     "rounds": r.rounds, "worst group": r.metrics["worst_group_utility"]}
    for floor in (0.25, 0.5) for protocol in PROTOCOLS for seed in range(5)
    for r in [negotiate(contested, seed=seed, protocol=protocol, aspiration_floor=floor)]
])
floors = pd.concat([runs[runs["seed"] < 5].assign(**{"aspiration floor": 0.0}), raised])  # floor 0: the runs above
table = floors.groupby(["aspiration floor", "protocol"], sort=False)[["agreement", "rounds", "worst group"]].mean()
table
"""),
    code("""
table["agreement"].unstack().plot(marker="o", ylabel="agreement rate",
                                  title="Agreement rate as the aspiration floor rises");
"""),
    md("""
Raising the floor slows every protocol. At 0.5 the single text, one change at a time,
rarely agrees within twenty rounds, while the mediator and the alternating offers,
which search all packages, still mostly find one that gives every group half of its
best gain. Where no agreement comes, the disagreement point stands, and the worst-off
group gets what it had there.

## Exercises

1. Replace the aspiration floor by the concession style: `concession="boulware"`
   (holds out, concedes late), `"linear"` or `"conceder"`. Which protocol is most
   sensitive to it, in rounds and in agreement?
2. Give the negotiation fewer rounds (`rounds=8`). Which protocol suffers most? Why
   does the single text need more rounds than the others?
3. Run the comparison under `information="public"`. For which protocol does knowing
   the weights change the outcome, and by how much (total and worst group)?
"""),
]
