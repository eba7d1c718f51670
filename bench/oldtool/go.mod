module slim-setup/bench/oldtool

go 1.22
