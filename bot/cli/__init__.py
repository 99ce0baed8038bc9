"""The command line behind `python -m bot`: one module per subcommand, each importing only what it uses."""
