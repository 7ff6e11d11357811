"""The `proffer` subcommands, one module each.

Each module defines ``add_parser(subparsers)`` that registers its subcommand(s) and sets ``func`` on the
parser: ``func(args) -> int`` is called with the parsed arguments (``args.data_dir`` is always a
``companion.settings.DataDir``) and returns the exit code.
"""
