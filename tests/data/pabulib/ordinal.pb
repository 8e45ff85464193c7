META
key;value
description;Ranked votes without points: Borda positions (written for the tests)
num_projects;3
num_votes;3
budget;10
vote_type;ordinal
PROJECTS
project_id;cost;votes;score
a;4;3;5
b;6;2;4
c;5;1;1
VOTES
voter_id;vote;age;sex
1;b,a,c;25;F
2;a,b;52;M
3;a;;M
