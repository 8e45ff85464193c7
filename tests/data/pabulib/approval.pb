META
key;value
description;Approval votes with voter data (written for the tests)
num_projects;3
num_votes;6
budget;100
vote_type;approval
rule;greedy
min_length;1
max_length;3
PROJECTS
project_id;cost;votes;name;category;beneficiaries;selected;district
p1;40;4;"Benches; and tables";urban greenery,public space;seniors,children;1;north
p2;50;2;"A ""green"" street";public space;adults;1;south
p3;30.5;2;Lights;;;0;north
VOTES
voter_id;vote;age;sex;voting_method
v1;p1,p2;34;F;internet
v2;p1;110;M;paper
v3;p1,p3;;F;internet
v4;p3,p1;67;X;internet
v5;p2;17;M;internet
v6;;45;;paper
