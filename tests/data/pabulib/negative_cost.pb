META
key;value
description;A small test election
num_projects;3
num_votes;3
budget;100
vote_type;approval
PROJECTS
project_id;cost;votes;name
p1;40;2;Benches
p2;-50;2;Trees
p3;30;0;Lights
VOTES
voter_id;vote
v1;p1,p2
v2;p2
v3;p1
