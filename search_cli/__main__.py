"""``python -m newsdex.search_cli``: the same as the ``newsdex`` command."""

from newsdex.search_cli.main import entry

if __name__ == "__main__":
    entry()
