META
key;value
description;Cumulative points, 10 per voter (written for the tests)
num_projects;3
num_votes;3
budget;20
vote_type;cumulative
min_sum_points;10
max_sum_points;10
PROJECTS
project_id;cost;votes;score
x;8;2;13
y;12;2;10
z;5;2;7
VOTES
voter_id;vote;points;age;sex;education
a;x,y;7,3;31;F;College
b;y,z;7,3;58;O;Graduate degree
c;x,z;6,4;22;M;
