META
key;value
description;Ranked votes with the file's own points (written for the tests)
num_projects;3
num_votes;2
budget;10
vote_type;ordinal
PROJECTS
project_id;cost
a;4
b;6
c;5
VOTES
voter_id;vote;points
1;b,a,c;5,3,1
2;c,a;5,3
