"""Word lists behind the entity rules: titles, organisation heads, label mapping. No spaCy import."""

from __future__ import annotations

# spaCy (OntoNotes) labels → ours. Numeric and time labels are not worth a facet; dropped.
LABELS = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "NORP",
    "DATE": "DATE",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}

# Titles and roles written before a name ("President Zelensky", "Defense Minister Kim Yong-hyun").
# Lower-cased; a multi-word title is matched word by word, so "prime" and "minister" are both listed.
TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady
    president vice prime minister premier chancellor secretary secretary-general general gen gen. lieutenant
    lt lt. colonel col col. major maj maj. captain capt capt. admiral adm adm. commander sergeant sgt sgt.
    marshal brigadier corporal private officer senator sen sen. representative rep rep. congressman
    congresswoman governor gov gov. mayor ambassador envoy king queen prince princess emperor empress pope
    cardinal archbishop bishop reverend rev rev. father imam rabbi sheikh judge justice chief chairman
    chairwoman chair director spokesman spokeswoman spokesperson leader despot dictator dr speaker deputy
    foreign defense defence interior finance state first lady mp minister-president attorney coach
    ceo founder co-founder editor anchor correspondent analyst expert""".split()
)

# Honorifics never conflict with a role: "Mr Giles" is whoever "Keir Giles" is.
HONORIFICS = frozenset("mr mr. mrs mrs. ms ms. miss dr dr. sir dame".split())

# Role words that name the head of a state or party: one person may be called any of these.
HEAD_ROLES = frozenset("president leader chairman chairwoman premier king queen emperor despot dictator".split())

# A capitalised phrase ending in one of these names an organisation ("Waseda University", "Red Army").
ORG_HEADS = frozenset(
    """agency army association authority bank board bureau church club co co. college commission committee
    company conference congress corp corp. corporation council court department directorate federation
    foundation front fund group guard inc inc. institute institution league ltd ltd. ministry movement navy
    office organisation organization parliament party police press records school service services society
    team tribunal union university airlines airways brigade battalion regiment division fc f.c. network
    news times post journal telegraph herald tribune broadcasting studios entertainment industries
    laboratories labs systems technologies holdings partners trust assembly senate cabinet command
    museum library hospital orchestra choir ensemble quartet band brothers
    motors pictures productions films music radio television games comics publishing publishers media
    communications telecom software electronics aviation aerospace railway railways railroad energy
    insurance capital ventures pharmaceuticals athletic athletics rovers wanderers albion conservatory
    seminary academy""".split()
)

# "University of Tokyo", "Ministry of Defence": a head word, then "of"/"for", then capitalised words.
ORG_OF_HEADS = frozenset(
    """university bank ministry department institute college school academy museum church council league
    association federation society union office bureau agency commission committee house order""".split()
)

# Lower-case words allowed inside a multi-word name ("Institute of the Study of War").
NAME_JOINERS = frozenset("of for the and to de du la le von van der den al el on in at & 's".split())

# Leading words spaCy (OntoNotes) keeps in a span but news style and CoNLL do not count as the name.
LEADING_NOISE = frozenset("the a an".split())

# A capitalised phrase ending in one of these names a place ("Kursk Oblast", "Red River", "Heathrow Airport").
LOC_HEADS = frozenset(
    """county river lake mountain mountains mount island islands bay valley street road avenue boulevard
    bridge province district region oblast krai prefecture municipality borough parish township
    village peninsula sea ocean gulf desert forest canyon creek falls coast airport station square
    stadium hill hills beach harbor harbour cape strait channel plain plains territory highway canal
    glacier volcano reservoir heights""".split()
)

# ...and one of these in front: "Mount Everest", "Lake Baikal", "Fort Worth".
LOC_PREFIXES = frozenset("mount lake cape fort port saint st. san santa".split())

# Capitalised abbreviations that are not names of organisations (the rest, untagged, are taken as ORG).
NOT_ORG_ACRONYMS = frozenset(
    """TV CEO CFO CTO COO GDP AM PM OK DNA RNA HIV AIDS COVID UTC GMT EST PST USD EUR GBP CD DVD PC IT AI FM AM
    EP LP DJ MC ID UFO NGO VIP UK US USA EU UN IPO ETF PDF HTML URL API GPS SMS LED LCD USB RPG FPS MVP PhD MBA
    BA BSc MSc MD QC KO NB PS AD BC BCE CE ET OT VS II III IV VI VII VIII IX XI XII XX HQ RIP FAQ DIY ASAP
    CCTV SUV ATM PIN IQ IVF ICU ER PR HR POOL VIA""".split()
)

# Single words that are names of some first-level subdivision somewhere (Cameroon's "North", Burkina Faso's
# "Centre-Nord") but in English text are directions or plain words: alone they are not a place.
GENERIC_PLACE_WORDS = frozenset(
    """north south east west northern southern eastern western central centre center coast lakes littoral
    midlands plateau plateaux savanes savannah nord sud est ouest north-west north-east south-west south-east
    centre-est centre-nord centre-ouest centre-sud hauts-bassins kara capital interior islands""".split()
)

# Korean family names as romanised in news text (Revised Romanization and McCune-Reischauer spellings).
KOREAN_SURNAMES = frozenset(
    """Kim Lee Rhee Yi Park Pak Choi Choe Jung Chung Jeong Kang Cho Jo Yoon Yun Jang Chang Lim Im Han Oh Seo Suh
    Shin Sin Kwon Hwang Ahn An Song Yoo Yu Ryu Hong Jeon Jun Chun Ko Go Moon Mun Yang Son Sohn Bae Baek Paik Heo
    Hur Nam Shim Sim Roh Noh Ha Kwak Sung Cha Joo Ju Woo Koo Ku Min Na Jin Ji Eom Um Chae Won Cheon Bang Kong
    Hyun Ham Byun Yeom Yeo Choo Do Seok Sun Seol Ma Gil Wi Pyo Myung Ki Ban Ra Wang Geum Ok Yook Tak Mo""".split()
)

# Particles inside Arabic (and Persian, Malay) names: "Osama bin Laden", "Abu Bakr al-Baghdadi".
NAME_PARTICLES = frozenset("bin ibn bint binti al el abu abd abdul ben".split())
