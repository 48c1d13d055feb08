// privgw command-line entry point (placeholder until the CLI lands).
print("privgw")
