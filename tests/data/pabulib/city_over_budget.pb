META
key;value
description;The selected column funds more than the budget (written for the tests)
num_projects;2
num_votes;2
budget;5
vote_type;approval
PROJECTS
project_id;cost;selected
a/1;4;1
b+2;3;1
VOTES
voter_id;vote
1;a/1
2;a/1,b+2
