"""Write the labelled utterances of the de-identification benchmark (fixed seed, deterministic).

Usage::

    python tools/build_deid_benchmark.py      # writes benchmarks/deidentify-utterances.jsonl

Each line is one interview-style utterance (synthetic, written for this project) with the
character spans of its planted identifiers (type, placeholder, whether the name is on the
benchmark's known-names list, lowercase, sentence-initial) and of look-alikes that must
survive. The known-names list the benchmark gives the de-identifier is the first line.
Half of the person names are NOT on that list (the detectors must find them on their own),
and many of those are names the first-name lexicon does not hold.

Like tools/build_sample.py this needs only the standard library.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "benchmarks" / "deidentify-utterances.jsonl"
SEED = 20261126
COUNT = 360

KNOWN = {
    "names": [
        {"surface": ["Dr Ruth Ellery", "Ruth", "Dr Ellery"], "type": "PERSON", "placeholder": "[clinical lead]"},
        {"surface": ["Tom Achebe", "Tom"], "type": "PERSON", "placeholder": "[practitioner]"},
        {"surface": ["Anjali Mistry", "Anjali"], "type": "PERSON", "placeholder": "[practitioner]"},
        {"surface": ["Gemma Lowther", "Gemma"], "type": "PERSON", "placeholder": "[health visitor]"},
        {"surface": ["Will"], "type": "PERSON", "placeholder": "[partner]"},
        {"surface": ["Hope"], "type": "PERSON", "placeholder": "[baby]"},
        {"surface": ["May"], "type": "PERSON", "placeholder": "[baby]"},
        {"surface": ["Faith"], "type": "PERSON", "placeholder": "[child]"},
        {"surface": ["Kestrel Family Service", "Kestrel"], "type": "ORG", "placeholder": "[the service]"},
        {"surface": ["Larkfield"], "type": "PLACE", "placeholder": "[town]"},
        {"surface": ["Dunmere"], "type": "PLACE", "placeholder": "[town]"},
        {"surface": ["Brackwater"], "type": "PLACE", "placeholder": "[county]"},
    ],
    "allow": ["Circle of Security", "Video Interaction Guidance"],
}
KNOWN_PEOPLE = ["Ruth", "Dr Ellery", "Tom", "Anjali", "Gemma", "Tom Achebe", "Anjali Mistry", "Gemma Lowther"]
KNOWN_AMBIGUOUS = {"Will": "[partner]", "Hope": "[baby]", "May": "[baby]", "Faith": "[child]"}
KNOWN_PLACES = ["Larkfield", "Dunmere"]
# People the de-identifier is not told about: a spread of names heard in UK clinics.
UNKNOWN_FIRST = ["Aisha", "Siobhan", "Callum", "Niamh", "Rhys", "Tariq", "Ewan", "Zainab", "Kacper",
                 "Amira", "Imran", "Freya", "Isla", "Harvey", "Jayden", "Shannon", "Kayleigh", "Declan",
                 "Aoife", "Yusuf", "Hamza", "Deepa", "Gurpreet", "Olamide", "Bartosz", "Leanne", "Dylan",
                 "Precious", "Mohammed", "Ffion", "Lewis", "Jodie", "Nathan", "Chantelle", "Oskar",
                 "Sophie", "Ellie", "Bethany", "Connor", "Marcus"]
UNKNOWN_SURNAME = ["Okonkwo", "Hughes", "Begum", "Kowalski", "McAllister", "Patel", "Thornton", "Ahmed",
                   "Fitzgerald", "Nowak", "Price", "Chaudhry", "Doherty", "Evans", "Mensah"]
UNKNOWN_TOWNS = ["Ravensworth", "Kettlewick", "Coldharbour", "Marshby", "Pellington", "Saltmarsh Bay",
                 "Upper Wendle", "Framlingford"]
UNKNOWN_ORGS = [("Millbrook Surgery", "[GP surgery]"), ("Elmwood Medical Centre", "[GP surgery]"),
                ("Thornbury Ward", "[ward]"), ("Ward 12", "[ward]"), ("St Agnes Hospital", "[hospital]"),
                ("Parkside Children's Centre", "[children's centre]"), ("Oakfield Primary School", "[school]"),
                ("Harrowden Borough Council", "[local authority]"), ("Fenwick Lane Surgery", "[GP surgery]"),
                ("Beacon Ward", "[ward]"), ("Cedar House Medical Practice", "[GP surgery]"),
                ("Marshby Family Hub", "[family hub]")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "ninth", "twelfth", "fifteenth", "twentieth",
            "twenty-third", "thirtieth"]
AGE_WORDS = ["seventeen", "nineteen", "twenty", "twenty-two", "twenty-six", "thirty-one", "thirty-four",
             "forty"]
CHILD_AGES = ["four months", "six weeks", "eleven months", "nine weeks", "three", "two"]

# Templates: {kind} slots are identifiers, <<text>> marks a look-alike that must survive.
TEMPLATES = [
    "{person} was brilliant with us, she just listened.",
    "I rang {person} on the Monday and she came out on the <<Wednesday>>.",
    "so i told {lperson} that i wasn't coping, and she got the ball rolling",
    "Honestly {person} and {person} were the only ones who ever rang back.",
    "{person} said the <<health visitor>> had already passed it on.",
    "My <<health visitor>>, {person}, was the one who referred me.",
    "it was {lperson} from the team who did the home visits",
    "We had a joint visit with {person} from {org}, which really helped.",
    "They moved her to {org} for a couple of weeks after the birth.",
    "I was on {org} for nine days, and <<Mum>> came every afternoon.",
    "The referral went through {org} in the end.",
    "We're right out in {place}, so it's two buses to get anywhere.",
    "There's nothing for mums in {place}, nothing at all.",
    "She's moved over to {place} now, so it's a different team.",
    "You can get me on {phone} most mornings.",
    "The duty line is {phone}, if you need it.",
    "just text me on {phone} and i'll call you back",
    "Send it over to {email} and I'll pick it up.",
    "the referrals inbox is {email}, everyone uses that",
    "Her address was {postcode}, out past the industrial estate.",
    "the postcode is {lpostcode} if that helps",
    "Her NHS number's {nhs}, I've got it on the letter.",
    "it's {nhs} on the system, the <<NHS>> number i mean",
    "She was born on {dob}, so she's a <<summer>> baby.",
    "His date of birth is {dob_numeric}.",
    "Her due date was {dob}, but she came early.",
    "The review meeting was on {date}, a <<Thursday>> I think.",
    "We first met on {date_numeric} and then every fortnight.",
    "I was {age} when I had her, which felt really young.",
    "She's only {child_age} and already she's on her second <<GP>>.",
    "He's {age_years} old now, the eldest.",
    "{known} was lovely, really calm.",
    "i spoke to {lknown} about it and she sorted it",
    "I think {known} came out twice that week.",
    "{known_place} is a long way from the hospital.",
    "She'd been seen at {known_org} before.",
    "We always met at the {known_org} base in {known_place}.",
    "{ambiguous_name_start} was there for all of it.",
    "and then {ambiguous_name} started crying, so I had to go",
    "I was holding {ambiguous_name} and trying to fill the form in.",
    "<<Will>> this take long? Only the baby's due a feed.",
    "<<I hope>> that's helpful, it's all a bit of a blur.",
    "We started in <<May>>, just before the second lockdown.",
    "I <<hope>> they keep it going, <<honestly>>.",
    "<<Mum>> came round every day, and my <<Dad>> did the school run.",
    "The <<NHS>> is stretched, everyone knows that.",
    "We did <<Circle of Security>> as a group on <<Tuesdays>>.",
    "I <<will>> say the <<health visitor>> was good.",
    "<<Grace>> periods don't exist with the council, you pay or you don't.",
    "By the <<grace>> of God we got through <<March>>.",
    "My <<Nan>> kept saying I'd <<be fine>>.",
    "The <<perinatal team>> and the <<GP>> never spoke to each other.",
    "<<May>> I ask how long you've been in post?",
    "<<Hope>> you don't mind me asking, but is this recorded?",
    "Ask {person_full} in the office, she'll know.",
    "{person_full} chairs the panel now.",
    "my partner {lperson} works nights so i'm on my own a lot",
    "{person} from {unknown_place} rang me about it.",
]


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1)))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            s = "".join(map(str, digits + [check]))
            return rng.choice([f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])


def phone(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"07700 900{rng.randint(0, 999):03d}"
    if kind == 1:
        return f"01632 960 {rng.randint(0, 999):03d}"
    if kind == 2:
        return f"+44 7700 900 {rng.randint(0, 999):03d}"
    if kind == 3:
        return f"020 7946 0{rng.randint(0, 999):03d}"
    return f"+44 (0)113 496 0{rng.randint(0, 999):03d}"


def postcode(rng: random.Random) -> str:
    area = rng.choice(["LS", "BD", "M", "B", "NE", "SW", "CF", "EH", "WX"])
    inward = f"{rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    return f"{area}{rng.randint(1, 19)} {inward}"


def a_date(rng: random.Random, *, numeric: bool = False) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([1996, 2001, 2019, 2020, 2021])
    if numeric:
        return rng.choice([f"{day:02d}/{month:02d}/{year}", f"{day}/{month}/{str(year)[2:]}", f"{day}.{month}.{year}"])
    name = MONTHS[month - 1]
    return rng.choice([f"the {day}th of {name}", f"{rng.choice(ORDINALS)} of {name}",
                       f"{name} the {rng.choice(ORDINALS)}", f"{day} {name} {year}", f"{name} {day}, {year}"])


def fill(template: str, rng: random.Random) -> dict:
    text, spans, lookalikes = "", [], []
    pos = 0
    for m in re.finditer(r"\{(\w+)\}|<<(.+?)>>", template):
        text += template[pos:m.start()]
        if m.group(2):
            lookalikes.append({"start": len(text), "end": len(text) + len(m.group(2))})
            text += m.group(2)
            pos = m.end()
            continue
        kind = m.group(1)
        known, surface = False, ""
        if kind in ("person", "lperson"):
            surface, kind_, placeholder = rng.choice(UNKNOWN_FIRST), "PERSON", "[person]"
        elif kind == "person_full":
            surface, kind_, placeholder = f"{rng.choice(UNKNOWN_FIRST)} {rng.choice(UNKNOWN_SURNAME)}", "PERSON", "[person]"
        elif kind in ("known", "lknown"):
            surface, kind_, placeholder, known = rng.choice(KNOWN_PEOPLE), "PERSON", "[staff]", True
        elif kind in ("ambiguous_name", "ambiguous_name_start"):
            surface = rng.choice(list(KNOWN_AMBIGUOUS))
            kind_, placeholder, known = "PERSON", KNOWN_AMBIGUOUS[surface], True
        elif kind == "org":
            surface, placeholder = rng.choice(UNKNOWN_ORGS)
            kind_ = "ORG"
        elif kind == "known_org":
            surface, kind_, placeholder, known = "Kestrel", "ORG", "[the service]", True
        elif kind in ("place", "unknown_place"):
            surface, kind_, placeholder = rng.choice(UNKNOWN_TOWNS), "PLACE", "[place]"
        elif kind == "known_place":
            surface, kind_, placeholder, known = rng.choice(KNOWN_PLACES), "PLACE", "[town]", True
        elif kind == "phone":
            surface, kind_, placeholder = phone(rng), "PHONE", "[phone number]"
        elif kind == "email":
            user = rng.choice(["referrals", "duty.team", "j.morgan", "kestrel-admin", "hv.north"])
            surface, kind_, placeholder = f"{user}@{rng.choice(['brackwater.nhs.example', 'larkfield-council.example', 'mail.example'])}", "EMAIL", "[email address]"
        elif kind in ("postcode", "lpostcode"):
            surface, kind_, placeholder = postcode(rng), "POSTCODE", "[postcode]"
        elif kind == "nhs":
            surface, kind_, placeholder = nhs_number(rng), "NHS_NUMBER", "[NHS number]"
        elif kind == "dob":
            surface, kind_, placeholder = a_date(rng), "DATE_OF_BIRTH", "[date of birth]"
        elif kind == "dob_numeric":
            surface, kind_, placeholder = a_date(rng, numeric=True), "DATE_OF_BIRTH", "[date of birth]"
        elif kind == "date":
            surface, kind_, placeholder = a_date(rng), "DATE", "[date]"
        elif kind == "date_numeric":
            surface, kind_, placeholder = a_date(rng, numeric=True), "DATE", "[date]"
        elif kind == "age":
            surface, kind_, placeholder = rng.choice(AGE_WORDS), "AGE", "[age]"
        elif kind == "child_age":
            surface, kind_, placeholder = rng.choice(CHILD_AGES), "AGE", "[age]"
        elif kind == "age_years":
            surface, kind_, placeholder = f"{rng.choice(['six', 'eight', 'twelve', '14'])} years", "AGE", "[age]"
        else:
            raise ValueError(kind)
        lowercase = kind.startswith("l")
        if lowercase:
            surface = surface.lower()
        sentence_start = not text.strip()
        spans.append({"start": len(text), "end": len(text) + len(surface), "type": kind_,
                      "placeholder": placeholder, "known": known, "lowercase": lowercase,
                      "sentence_start": sentence_start})
        text += surface
        pos = m.end()
    text += template[pos:]
    return {"text": text, "identifiers": spans, "lookalikes": lookalikes}


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows = []
    for index in range(COUNT):
        template = TEMPLATES[index % len(TEMPLATES)]
        row = fill(template, rng)
        rows.append({"id": f"u{index + 1:03d}", **row})
    return rows


def main() -> int:
    OUT.parent.mkdir(exist_ok=True)
    rows = build()
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps({"known_names": KNOWN, "seed": SEED, "count": len(rows)}) + "\n")
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    types = {}
    for row in rows:
        for span in row["identifiers"]:
            types[span["type"]] = types.get(span["type"], 0) + 1
    print(f"wrote {OUT}: {len(rows)} utterances, identifiers {types}, "
          f"look-alikes {sum(len(r['lookalikes']) for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
