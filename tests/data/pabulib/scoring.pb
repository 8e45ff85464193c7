META
key;value
description;Scores from -1 to 2 (written for the tests)
num_projects;2
num_votes;2
budget;10
vote_type;scoring
PROJECTS
project_id;cost
s1;5
s2;7
VOTES
voter_id;vote;points
1;s1,s2;2,-1
2;s2;1
