"""The roster's pure functions: screening for conflicts of interest, matching, team
assignment and the 72-hour clock (plain data in, findings out)."""
