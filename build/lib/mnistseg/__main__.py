"""`python -m mnistseg`: the `mnistseg` command."""

from mnistseg.commands import main

main()
