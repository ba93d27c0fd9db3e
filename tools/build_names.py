"""Build tasks/data/given_names.txt and surnames.txt (Latin script) from the Faker package's name lists.

    pip install faker && python -m tools.build_names

Faker is needed only to rebuild this file, not at run time. The enrich stage uses the list as evidence
that a capitalised pair such as "Toshimitsu Shigemura" names a person rather than an organisation.
and that a lone "Shigemura" tagged as an organisation is more likely a person.
Names that are also common English words ("Will", "May", "Grant", "Young") are left out: weak evidence.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tasks" / "data"
LOCALES = """en_US en_GB en_IE en_IN en_NG en_KE en_PK de_DE fr_FR es_ES es_MX es_AR it_IT pt_BR pt_PT pl_PL
nl_NL sv_SE no_NO da_DK fi_FI cs_CZ sk_SK sl_SI hu_HU ro_RO tr_TR id_ID sw hr_HR lt_LT lv_LV et_EE ga_IE ja_JP
yo_NG ha_NG ig_NG zu_ZA""".split()
ATTRS = ("first_names", "first_names_male", "first_names_female", "first_romanized_names")
COMMON_WORDS = set(
    """will may grant mark bill rose faith hope joy summer april june august art guy sue pat
page dean chase hunter wade frank earl king prince major miles rich sandy dawn amber ruby crystal jewel
autumn winter spring river sky storm star angel bishop baker carter cook mason porter tanner taylor
young long brown white black green gray grey rock stone lane hall park holly ivy iris lily daisy heather
jack jimmy bob buck rusty dusty penny sunny honey candy cherry olive pearl sterling price gene
harmony melody destiny trinity unity justice liberty glory grace mercy patience prudence charity
christian royal don van von del della de la le lo ben ali church bank street field wood woods house
bell hill hills land bush fox wolf bird fish lamb small short strong swift west north south east little
new good best love hale moore more shore ford marsh field fields forest lake rivers waters ward wall
walls castle bridge bridges gate gates cross banks rose roses summers winters days knight knights""".split()
)


def _ok(name: str) -> bool:
    return (
        name.isascii() and name.isalpha() and name[:1].isupper() and len(name) > 2 and name.lower() not in COMMON_WORDS
    )


def _faker_names(attrs: tuple[str, ...]) -> set[str]:
    """Every acceptable name in these attributes of Faker's person providers, over all LOCALES."""
    out: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attr in attrs:
            values = getattr(provider, attr, None) or ()
            out.update(n for n in (values.keys() if isinstance(values, dict) else values) if _ok(n))
    return out


def surnames() -> set[str]:
    return _faker_names(("last_names", "last_names_male", "last_names_female", "last_romanized_names"))


def names() -> set[str]:
    out = _faker_names(ATTRS)
    # Common romanised Slavic, Arabic and East Asian given names in the news (not in Faker's Latin lists).
    out.update(
        """Vladimir Volodymyr Dmitry Dmitri Sergei Sergey Alexei Alexey Oleksandr Oleksiy Mykola Yuri
    Yuriy Andriy Andrei Andrey Mikhail Nikolai Boris Igor Ivan Pavel Viktor Kyrylo Yevgeny Yevgeniy Ramzan
    Mohammed Muhammad Mohammad Ahmed Ahmad Hassan Hussein Omar Abdullah Khalid Mahmoud Bashar Recep Tayyip
    Benjamin Yoav Naftali Shinzo Fumio Yoshihide Shigeru Toshimitsu Narendra Rahul Imran Shehbaz Nawaz
    Jacinda Olena Yulia Svetlana Natalia Tatiana
    Olga Irina Elena Anastasia Ekaterina Maria Alexander Aleksandr""".split()
    )
    return out


def main() -> int:
    for filename, data in (("given_names.txt", names()), ("surnames.txt", surnames())):
        rows = sorted(data)
        out = DATA / filename
        out.write_text(
            "# built by tools/build_names.py from Faker's name lists\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
        print(f"{out.name}: {len(rows)} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
