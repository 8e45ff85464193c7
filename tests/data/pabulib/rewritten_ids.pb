META
key;value
description;Ids the scenario must rewrite, whose string order then changes (written for the tests)
num_projects;2
num_votes;2
budget;1
vote_type;approval
PROJECTS
project_id;cost
x10;1
x1/2;1
VOTES
voter_id;vote
1;x10,x1/2
2;x1/2,x10
