"""``python -m newsdex.search_cli``: the same as the ``newsdex`` command."""

from newsdex.search_cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
