"""Build the synthetic training corpus of the speech name recogniser (``speech_names``).

Every sentence is generated here from templates written for this corpus (none is copied from a
benchmark set or from elsewhere), with people's names drawn from Faker in many locales and
nicknames from the ``nicknames`` table. The templates are speech in many registers: parents and
grandparents, professionals, focus groups with crosstalk, telephone calls, text messages read
aloud, and automatic transcription without capitals or punctuation; fillers, false starts and
repairs are added at random. Half the sentences come from hand-written scene templates, half
from compositional frames (the words around a name: "me and X", "X from the ...", "thanks X",
"X's mum ...") filled from lists of verb phrases, objects and tails. A third hold no name at
all: words that are also names used as words ("will", "grace", "hope", "may"), and the same
frames with something that is not a person where the name would be (charities, retailers,
programmes, medicines, days, months, places, kinship words, common and dictionary words), and
written feedback. First names that are dictionary words are drawn only when they are common
given names (``thematic.deidentify.speech_names.word_names``).

The output is JSONL, one sentence a line: ``{"text", "spans": [[start, end, "PERSON"]],
"template": id, "register": name, "case", "split": "train"|"dev"}``. Sentences are dealt into
train and dev **by template** (a template's sentences, or a frame's context, all in one part),
and names by a hash of the first name, so the dev part measures contexts and names the model
never saw.

Usage::

    python tools/build_speech_names_corpus.py --out build/speech-names.jsonl --sentences 40000 --seed 15

Deterministic: the same seed gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

#: Faker locales whose names are in Latin script (some with diacritics, kept or stripped at random).
LOCALES = ("en_GB", "en_IE", "ga_IE", "en_IN", "pl_PL", "fr_FR", "de_DE", "it_IT", "es_ES", "pt_PT", "nl_NL",
           "tr_TR", "yo_NG", "zu_ZA", "tw_GH", "ro_RO", "hu_HU", "cs_CZ", "sk_SK", "hr_HR", "lt_LT", "lv_LV",
           "da_DK", "sv_SE", "fi_FI", "et_EE", "vi_VN", "id_ID", "en_US", "en_PH")
#: Weight of each locale (British and Irish names most often, as in UK interviews).
LOCALE_WEIGHTS = {"en_GB": 8, "en_IE": 2, "en_IN": 4, "pl_PL": 2, "yo_NG": 2, "en_US": 2}
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Dr.", "Mr.", "Mrs.")
PARTICLES = ("van", "van der", "de", "da", "di", "von", "al", "el", "bin", "Mac", "O'")

# --- templates -------------------------------------------------------------------------------------
# {P} a person in any form; {F} a first name or nickname (vocatives, casual mentions);
# {S} title and surname; {FULL} first name and surname. Each line is one template.

POSITIVE = {
    "parent": [
        "{F} was working nights so I had the kids on my own",
        "me and {F} split up when the baby was small",
        "{F} and me, we just didn't get on after that",
        "so {F} from the group, she rang me the next day",
        "my sister {F} came round and took the little one out",
        "I said to {F}, look, I can't do this on my own",
        "it was {F}'s idea to go to the baby group in the first place",
        "his dad {FULL} never turned up to any of it",
        "{F} said I should just ring them",
        "the health visitor, {P}, she was lovely with us",
        "{F} used to have him on Saturdays",
        "and then {F} goes, are you coming or what",
        "my partner {F} does the night feeds now",
        "I was with {F} for six years before the twins",
        "our eldest {F} started nursery in the autumn",
        "{F} and {F} both go to the same school",
        "we named her {F} after my nan",
        "I told {P} everything, she was the only one who listened",
        "it was only when {F} moved out that things got better",
        "{F} kept asking when daddy was coming home",
        "my mum and {F} sorted the lift for me",
        "there was a girl called {F} who was in the same boat",
        "I ended up ringing {F} at two in the morning",
        "{F}'s mum helped out a lot when I was poorly",
        "honestly if it wasn't for {F} I don't know what I'd have done",
    ],
    "grandparent": [
        "our granddaughter {F} stays with us most weekends",
        "I look after little {F} while her mum's at work",
        "my son {FULL} and his wife, they live just down the road",
        "we've had {F} since she was three months old",
        "{F} calls me nanna, bless her",
        "when {F} passed, my husband {F}, it all fell on me",
        "the social worker {P} came out twice and then we never saw her again",
        "I rang {S} at the surgery and she was very good",
        "it's our {F} I worry about, she's not sleeping",
        "young {F} is doing ever so well now",
    ],
    "professional": [
        "I discussed the case with {P} in supervision",
        "{S} was the allocated worker at the time",
        "my manager, {FULL}, signed it off on the Friday",
        "I handed over to {F} before I went on leave",
        "{P} from the safeguarding team joined the call",
        "we had a strategy meeting with {S} and {S}",
        "the referral came in from {P}, the school nurse",
        "I'd need to check with {F} whether that was logged",
        "{FULL} is the named nurse for that family",
        "as {S} said in the meeting, we need to look at the whole picture",
        "the student, {F}, shadowed me on the home visits",
        "I asked {F} to pick up the follow up call",
        "the consultant {S} reviewed her on the ward",
        "my colleague {FULL} runs the Tuesday clinic",
        "{F} covers the north patch and I cover the south",
        "she was seen by {P} and then by the GP",
        "so {S} rang back and said the bed was gone",
        "according to {F}'s notes the mum declined the offer",
        "we escalated it to {P} who is the team lead",
        "{F}, {F} and I did the joint visit",
    ],
    "focus_group": [
        "{F}: yeah I agree with what {F} said about the waiting",
        "sorry, {F}, you go first",
        "I think {F} has a point there actually",
        "can I just come in after {F}",
        "what {F} was saying about the forms, same for us",
        "{F} is nodding, so it's not just me then",
        "thanks {F}, and {F}, what about you",
        "{F} you were going to say something",
        "no, no, {F}'s right, it was the same at ours",
        "hang on, let {F} finish",
        "so {F} and {F} both went to the drop in",
        "{F}? did you get a letter as well",
        "yes {F}, exactly that",
    ],
    "telephone": [
        "hello, is that {P}? it's {F} from the clinic",
        "hiya, it's {F}, I'm just ringing about tomorrow",
        "can I speak to {S} please",
        "I'm calling on behalf of {FULL}",
        "yeah {F} gave me your number",
        "could you ask {F} to ring me back",
        "it's {FULL} speaking, I've got an appointment at ten",
        "I'll pass you over to {F} now",
        "is {F} there? tell her it's her mum",
        "this is {S}'s secretary, how can I help",
    ],
    "texting": [
        "she texted me, hi {F} running late see u at 3",
        "the message just said ring {F} asap",
        "I got a text from {P} saying the group was cancelled",
        "{F} put it on the group chat, has anyone got a buggy",
        "I messaged {F} like where are you",
        "it says love from {F} with three kisses",
        "on facebook {FULL} had shared this post about it",
        "the whatsapp from {F} said don't worry about it hun",
    ],
    "reported": [
        "and {F} turned round and said, you're not coping, are you",
        "{P} told me it was normal for his age",
        "I remember {F} saying it'll get easier",
        "my mum said, {F}, you need to eat something",
        "he was like, {F}, calm down",
        "{F} reckons we should have gone private",
        "according to {P} there's a waiting list of months",
        "apparently {F} had already told them",
    ],
    "lists": [
        "there was me, {F}, {F} and {F} in the end",
        "{F}, {F}, {F}, we all went through the same thing",
        "the kids are {F}, {F} and the baby, {F}",
        "{FULL} and {FULL} ran the group between them",
        "{F} and her partner {F} came along",
    ],
    "forms": [
        "name, {FULL}, date of birth, I'd have to look",
        "the letter was addressed to {S}",
        "it was signed {FULL}, health visitor",
        "under next of kin I put {FULL}",
        "the card said dear {F}, sorry for your loss",
        "she spelt it out, {FULL}, with a y",
    ],
}

# Sentences with no person (look-alikes used as words, capitalised things that are not people).
NEGATIVE = {
    "word_names": [
        "I will be honest, I didn't want to go at first",
        "we just hope it gets better after Christmas",
        "by the grace of god we got through it",
        "you may have to wait a bit longer",
        "she'll mark it down in the red book",
        "the bill came through and it was loads",
        "the rose bush in the garden died",
        "it takes a lot of patience with a newborn",
        "I've got faith in them now, I didn't before",
        "she said I had a lot of joy in me",
        "we'll see what happens in May",
        "the will was sorted out after he died",
        "there was no hope of a place before September",
        "the summer was really hard with three of them",
        "they gave us a little basket of heather and holly",
        "it was a real dawn of a new day for us",
        "I had to sign for it, just a quick mark on the form",
        "it will get easier, that's what they kept telling me",
        "can you jack the car up for me",
        "he just wanted to be free",
        "we took a walk down by the brook",
        "I'd rather not say",
        "the sky was a lovely shade of violet",
        "I made a cup of tea and sat down",
        "my nan's got a lovely ivy plant on the window sill",
        "I will, I will, I promise",
        "she had a fringe like a cherry on top",
        "we couldn't afford the rent so we moved",
        "he wanted to fish in the river",
        "they gave me a rich tea biscuit and sent me home",
    ],
    "organisations": [
        "I rang the NSPCC helpline in the end",
        "Mind were really good actually",
        "we got the vouchers through Healthy Start",
        "the Bookstart pack had two books in it",
        "I did the baby massage course at the children's centre",
        "they filled in the ASQ when she was two",
        "I looked it up on Mumsnet at three in the morning",
        "the Citizens Advice helped with the forms",
        "I went to Sure Start when the first one was born",
        "we did the Family Nurse Partnership with the eldest",
        "I was on Universal Credit at the time",
        "Home-Start sent a volunteer every Tuesday",
        "the Samaritans were the only ones who picked up",
        "I got a pushchair off Gumtree",
        "we just went to Asda and got the cheap stuff",
        "Tesco had run out of formula again",
        "Barnardo's ran the group on a Wednesday",
        "the NHS app wouldn't let me book",
        "Start for Life had a page on it",
        "I did the Solihull course online",
        "they referred me to Talking Therapies",
        "I saw it on the BBC news",
        "Boots do a cheaper one",
        "we went to Aldi after the clinic",
        "the Red Cross helped when we first came over",
    ],
    "medicines": [
        "they put me on Sertraline after the birth",
        "the baby had Gaviscon for the reflux",
        "I gave him Calpol and he settled",
        "she was prescribed Fluoxetine",
        "we tried Infacol but it didn't help",
        "I was on Citalopram for about a year",
        "they gave her Nurofen for the fever",
        "the midwife said to take Pregnacare",
    ],
    "time_places": [
        "we went on the Monday and they said come back Thursday",
        "it was January, so it was freezing",
        "since March I've been back at work",
        "we moved up from London when I was pregnant",
        "we go to Blackpool every summer",
        "it was Easter so everything was shut",
        "over Ramadan it was really hard with the feeds",
        "on Christmas Day he was in hospital",
        "we drove up to Scotland for a week",
        "I'm from Poland originally",
        "they sent us to the Royal for the scan",
        "the A and E was rammed on Saturday night",
    ],
    "roles_kin": [
        "my mum came round every day",
        "the health visitor came on the Tuesday",
        "Auntie came over and helped with the tea",
        "Nan said she'd have them for the weekend",
        "the midwife was lovely",
        "Mum, can you hear me",
        "the GP just said it was colic",
        "my husband works away a lot",
        "the social worker didn't seem to listen",
        "Grandad picks them up from school",
        "the receptionist told me to ring back at eight",
        "the consultant was running late",
        "Dad was working nights at the time",
        "the nursery nurse said he was fine",
        "the Family Support Worker came out twice",
    ],
    "general": [
        "it was hard, really hard, but we got there",
        "I didn't know who to ask",
        "the waiting list was about six months",
        "I just felt like nobody was listening",
        "the group was on a Wednesday morning",
        "we had to get two buses to get there",
        "it would have been nice to have someone ring",
        "I don't think they understood what it was like",
        "the forms were really confusing",
        "we got there in the end",
        "sorry, can you say that again",
        "yeah, no, that's fair",
        "I was in and out of hospital with her",
        "they were brilliant to be fair",
        "he wasn't feeding properly",
        "I felt judged, to be honest",
    ],
}

# --- compositional frames ------------------------------------------------------------------------------
# A sentence is a frame (the words right around the slot) and parts drawn independently. The
# slot {X} holds a person's name in most sentences, and in the others a thing that is not a person
# (a service, a charity, a shop, a place, a day, a kinship word, a pronoun) in the same frame,
# so that a capitalised word in a name's position is not taken for a name.

PRE_NAME = ("", "", "", "my friend", "my mate", "my partner", "her mum", "his brother", "my sister", "our",
            "little", "my ex", "this girl", "the lady", "my support worker", "my key worker", "the midwife",
            "the health visitor", "my cousin", "her boyfriend", "my neighbour", "the baby's dad", "my eldest",
            "my youngest", "my husband", "my wife", "my son", "my daughter", "his girlfriend", "the student nurse")
VERB_PHRASES = (
    "said it was fine", "was working nights", "had the baby in the March", "came round after", "rang me up",
    "never turned up", "was brilliant with him", "looked after the kids", "went off sick", "moved in with us",
    "picked them up from school", "didn't want to know", "kept on at me about it", "sorted it all out",
    "goes to the same nursery", "was the one who noticed", "told me about the group", "reckons it's his teeth",
    "gave me a lift", "is nine now", "started school this year", "lives round the corner",
    "has been a massive help", "cried all the way home", "was in the same boat", "works at the hospital",
    "drove us there", "filled the forms in for me", "got really upset", "sat with me the whole time",
    "doesn't really talk about it", "used to come to the group", "was on maternity leave", "put the kettle on",
    "went back to work", "was really poorly", "had a word with them", "won't eat anything green",
    "was meant to ring back", "brought a cake in", "is the one you want to talk to", "left a message",
    "did the night shift", "stayed over", "was dead nervous", "said no straight away", "knows everybody round here",
    "missed the appointment", "took the day off", "was late again", "sent me the link", "phoned the surgery")
SUBJECTS = ("I", "we", "my mum", "the school", "she", "he", "they", "the nurse", "the GP", "my husband", "nobody",
            "the manager", "I think I", "we just")
OBJECT_VERBS = (
    "rang", "told", "asked", "texted", "saw", "met", "phoned", "messaged", "went with", "stayed with", "spoke to",
    "talked to", "was with", "sat with", "waited for", "looked after", "picked up", "dropped off",
    "left the kids with", "went round to see", "got a lift off", "heard from", "got a letter from", "emailed",
    "bumped into", "thanked", "trusted", "blamed", "rang back", "argued with", "split up with", "moved in with",
    "went to school with", "worked with", "was mates with", "complained about", "worried about", "visited",
    "introduced me to", "swapped numbers with", "caught up with", "got on with", "fell out with")
TAILS = ("", "", "", "yesterday", "about it", "the other day", "in the end", "after the appointment", "on the Monday",
         "at the group", "last week", "straight away", "again", "about the baby", "at half eight", "for a bit",
         "when it happened", "and that was it", "twice", "this morning", "at the weekend", "before Christmas")
POSSESSED = ("mum", "dad", "nan", "house", "car", "school", "partner", "baby", "kids", "idea", "birthday",
             "appointment", "little girl", "boyfriend", "husband", "number", "phone", "buggy", "flat", "nursery")
VOCATIVE = ("are you alright", "can you hear me", "do you want a brew", "what do you think", "did you get a letter",
            "you go first", "come here a minute", "are you coming", "is that you", "what was it you said",
            "have you got a pen", "where are you")
FROM_PLACES = ("the group", "the children's centre", "next door", "work", "church", "the nursery", "the school",
               "the council", "the mosque", "the baby group", "the clinic", "upstairs", "the office", "the surgery",
               "the other group", "over the road", "the food bank", "the gym")
CALLED = ("called", "named", "her name's", "his name was", "it's", "this is", "I'm", "my name's", "ask for",
          "someone called", "a lady called", "a fella called", "a girl named", "signed by", "love from",
          "speak to", "put me through to", "from")
# Not people, in the same frames (capitalised as they are written).
NOT_PEOPLE = (
    "Mind", "the NSPCC", "Asda", "Tesco", "Aldi", "Lidl", "Boots", "Home-Start", "Barnardo's", "the Samaritans",
    "Citizens Advice", "Sure Start", "Healthy Start", "Bookstart", "Mumsnet", "Facebook", "WhatsApp", "Gumtree",
    "the council", "the NHS", "the GP", "the surgery", "the Job Centre", "Universal Credit", "the DWP",
    "Social Services", "CAMHS", "the Red Cross", "Shelter", "Gingerbread", "Relate", "the PALS team",
    "the Royal", "A and E", "Primark", "Argos", "Sainsbury's", "Morrisons", "Iceland", "Greggs", "McDonald's",
    "Calpol", "Gaviscon", "Sertraline", "the Red Book", "the ASQ", "Start for Life", "the Solihull course",
    "Manchester", "Leeds", "Birmingham", "London", "Poland", "Scotland", "Wales", "Ireland", "Blackpool",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "March",
    "August", "October", "Christmas", "Easter", "Eid", "Diwali", "Ramadan",
    "Mum", "Dad", "Nan", "Nana", "Grandad", "Auntie", "Uncle", "Gran", "Mummy", "Daddy", "the baby", "Baby",
    "him", "her", "them", "everyone", "somebody", "the midwife", "the health visitor", "the social worker",
    "my mum", "the nurse", "the doctor", "the consultant", "the receptionist", "the school", "the nursery",
    "God", "Jesus", "Santa", "Peppa Pig", "the Tories", "Labour", "Brexit", "Covid", "Zoom", "Teams", "Google",
    "Netflix", "YouTube", "TikTok", "Instagram", "Snapchat", "Amazon", "Uber", "Specsavers")
# Words that are also names, used as words, in frames of their own.
WORD_USES = (
    "I will {VP0}", "she will ring you back", "we hope {VP0}", "I hope so", "you may as well", "it may be the teeth",
    "mark it on the calendar", "they sent the bill", "by the grace of god", "a grace period", "the rose garden",
    "patience is what you need", "they had no faith in me", "it was a joy", "will it get better",
    "may I ask something", "I'll bill them", "we had a rich tea", "he wanted to sue them", "the sun came out",
    "in the summer holidays", "a bit of autumn sun", "we went to the brook", "the heather was out", "in a pickle",
    "she said I was a saint", "that was the dawn of it", "we got an ivy plant", "I was in a right state",
    "she'd skip the appointment", "he was dead frank with me", "I was so earnest about it",
    "pat him on the back", "carol singers came round", "a pearl of wisdom", "she's a real gem", "just a penny",
    "the price of milk", "an ace nurse", "a fair bit", "he's a right jack the lad", "she's got the hump",
    "the hunter wellies", "a taylor made plan", "a baker's dozen", "the cook was off", "my bishop's move",
    "he'll be king of the castle", "a major problem", "a long story", "a young mum", "the little ones",
    "stone cold", "a hill to climb", "on the moss", "in the wood", "on the green", "a brown envelope",
    "it was just white noise", "black and blue", "a grey area")

# Common words that are not names, for name positions in negative sentences (written for this corpus).
COMMON_WORDS = (
    "helpful", "friendly", "kind", "caring", "rude", "professional", "efficient", "quick", "slow", "excellent",
    "brilliant", "lovely", "good", "great", "poor", "reassuring", "understanding", "patient", "thorough", "calm",
    "busy", "late", "early", "tired", "scared", "worried", "anxious", "lonely", "happy", "upset", "angry",
    "confused", "exhausted", "grateful", "informative", "supportive", "polite", "clean", "dirty", "noisy",
    "prompt", "courteous", "considerate", "compassionate", "respectful", "dismissive", "knowledgeable", "honest",
    "help", "support", "advice", "care", "service", "staff", "team", "nurse", "doctor", "call", "phone", "wait",
    "appointment", "letter", "form", "pain", "discomfort", "worry", "anxiety", "home", "work", "transport",
    "ambulance", "hospital", "clinic", "ward", "reception", "treatment", "medication", "prescription",
    "information", "feedback", "comments", "experience", "system", "process", "booking", "visit", "review",
    "handler", "driver", "porter", "parking", "food", "bed", "room", "time", "money", "kids", "baby", "school",
    "nursery", "group", "session", "class", "course", "leaflet", "bottle", "feed", "sleep", "nappy", "buggy",
    "answer", "question", "problem", "issue", "chat", "talk", "meeting", "follow", "check", "test", "scan",
    "results", "assessment", "referral", "waiting", "list", "weekend", "morning", "evening", "night", "day",
    "shorter", "similar", "connections", "everything", "nothing", "someone", "anyone", "everybody", "things",
    "stuff", "bits", "loads", "lots", "honestly", "basically", "actually", "literally", "obviously", "anyway",
    "cold", "dark", "wet", "hot", "chronic", "severe", "mild", "fine", "okay", "alright", "sorted", "done",
    "understood", "listened", "explained", "arrived", "rang", "waited", "helped", "cared", "struggled")

FEEDBACK = (
    "the staff were {W} and {W}", "very {W}, {W} and {W}", "{W} service, thank you", "{W} and {W} throughout",
    "the {W} was {W}", "nothing could be better, {W} care", "{W}. {W}.", "it was {W} and {W} at the time",
    "they were so {W}", "I found them {W} and {W}", "{W} {W} from start to finish", "the {W} and the {W} were {W}",
    "could have been more {W}", "{W} as always", "not {W} at all", "really {W} and {W} with my mum")
FEEDBACK_NAMES = (
    "the nurse, {F}, was {W} and {W}", "{S} was very {W}", "thank you to {F} and the team", "{F} on reception was {W}",
    "special thanks to {FULL} who was {W}", "{F} the paramedic was {W} and {W}", "please pass my thanks to {S}",
    "{FULL} explained everything, very {W}", "the driver {F} was {W}", "I saw {S}, who was {W}")

FRAMES = {
    "subject": "{PRE} {X} {VP}",
    "object": "{SUBJ} {OV} {X} {TAIL}",
    "possessive": "{X}'s {POSS} {VP}",
    "vocative_first": "{X}, {VOC}?",
    "vocative_last": "{VOC}, {X}?",
    "me_and": "me and {X} {VP}",
    "and_me": "{X} and me {VP}",
    "and_i": "{X} and I {VP}",
    "pair": "{X} and {X} {VP}",
    "list": "{X}, {X} and {X} {VP}",
    "from": "{X} from {FROM} {VP}",
    "called": "{CALLED} {X}",
    "said": "{X} said {VP0}",
    "goes": "{X} goes, {VOC}",
    "was_like": "{X} was like, {VOC}",
    "with": "I went with {X} {TAIL}",
    "thanks": "thanks {X}",
    "title": "{TITLE} {SURNAME} {VP}",
}
# Which part of a frame decides its split (its immediate context): dev gets other contexts.
SPLIT_PART = {"subject": "VP", "object": "OV", "possessive": "POSS", "vocative_first": "VOC", "vocative_last": "VOC",
              "me_and": "VP", "and_me": "VP", "and_i": "VP", "pair": "VP", "list": "VP", "from": "FROM",
              "called": "CALLED", "said": "VP0", "goes": "VOC", "was_like": "VOC", "with": "TAIL",
              "thanks": "", "title": "VP"}
PRONOUN_VPS = ("it was fine", "it was the teeth", "we should ring them", "I'd be alright", "nobody would come",
               "they'd lost the form", "it was too late", "she'd sort it", "I was doing a good job")


@lru_cache(maxsize=1)
def dictionary_words() -> tuple[str, ...]:
    """English words of the pipeline's lemmatizer that are in no first-name list, sorted
    (``thematic.deidentify.words``), 3 to 12 letters: the words a name's position holds when
    it holds no name."""
    from thematic.deidentify.words import _dictionary_words, _first_names

    first = _first_names()
    return tuple(sorted(w for w in _dictionary_words("en_core_web_sm")
                        if w.isalpha() and 3 <= len(w) <= 12 and w not in first))


def _not_a_person(rng: random.Random) -> str:
    """What stands in a name's position in a negative sentence: a service, shop, place, day or
    kinship word (capitalised as written), a common word, or one or two dictionary words."""
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(NOT_PEOPLE)
    if roll < 0.65:
        return rng.choice(COMMON_WORDS)
    words = dictionary_words()
    return " ".join(rng.choice(words) for _ in range(1 if rng.random() < 0.75 else 2))


def _part(name: str, rng: random.Random, choice_of: dict) -> str:
    options = {"PRE": PRE_NAME, "VP": VERB_PHRASES, "SUBJ": SUBJECTS, "OV": OBJECT_VERBS, "TAIL": TAILS,
               "POSS": POSSESSED, "VOC": VOCATIVE, "FROM": FROM_PLACES, "CALLED": CALLED, "VP0": PRONOUN_VPS,
               "TITLE": TITLES}[name]
    index = choice_of.get(name)
    return options[index] if index is not None else rng.choice(options)


def _part_split(name: str, index: int) -> str:
    return split_of(f"{name}-{index}")


def frame_sentence(rng: random.Random, names: NamePool, *, negative: bool) -> tuple[list[tuple[str, bool]], str, str]:
    """One frame sentence as pieces, its template id and its split."""
    if rng.random() < 0.15:  # written feedback, read or typed
        template = rng.choice(FEEDBACK if negative else FEEDBACK_NAMES)
        split = split_of(f"feedback-{template}")
        template = re.sub(r"\{W\}", lambda _: rng.choice(COMMON_WORDS if rng.random() < 0.7 else dictionary_words()),
                          template)
        return _pieces(template, names, split), f"feedback-{template[:30]}", split
    if negative and rng.random() < 0.3:
        template = rng.choice(WORD_USES)
        split = split_of(f"word-{template}")
        vp0 = rng.choice(PRONOUN_VPS)
        template = template.replace("{VP0}", vp0)
        return [(w, False) for w in template.split()], f"word-{template[:30]}", split
    frame = rng.choice(sorted(FRAMES))
    key = SPLIT_PART[frame]
    options = {"VP": VERB_PHRASES, "OV": OBJECT_VERBS, "POSS": POSSESSED, "VOC": VOCATIVE, "FROM": FROM_PLACES,
               "CALLED": CALLED, "VP0": PRONOUN_VPS, "TAIL": TAILS}.get(key)
    index = rng.randrange(len(options)) if options else 0
    split = split_of(f"{frame}-{key}-{index}")
    choice_of = {key: index} if key else {}
    pieces: list[tuple[str, bool]] = []
    for token in re.split(r"(\{[A-Z0-9]+\}[^\s{]*)", FRAMES[frame]):
        if not token.strip():
            continue
        match = re.fullmatch(r"\{([A-Z0-9]+)\}(.*)", token.strip())
        if not match:
            pieces += [(w, False) for w in token.split()]
            continue
        slot, glued = match.groups()
        if slot == "X":
            if negative:
                pieces += [(w, False) for w in _not_a_person(rng).split()]
            else:
                pieces.append((names.person(rng.choice(("F", "F", "F", "P", "FULL")), split), True))
        elif slot == "SURNAME":
            if negative:
                pieces += [(w, False) for w in rng.choice(("the GP", "the doctor", "the nurse", "the office")).split()]
                pieces = pieces[:-3] + pieces[-2:] if len(pieces) > 2 else pieces  # drop the title
            else:
                title = pieces.pop()[0] if pieces else ""
                pieces.append((f"{title} {names.surname(split)}".strip(), True))
        else:
            pieces += [(w, False) for w in _part(slot, rng, choice_of).split()]
        if glued:
            pieces.append(("\x00" + glued, False))
    return pieces, f"frame-{frame}-{key}-{index}", split


FILLERS = ("um", "er", "erm", "uh", "like", "you know", "I mean", "sort of", "kind of", "yeah", "so")
LEADS = ("yeah", "so", "well", "and", "oh", "right", "okay", "honestly", "I mean", "no", "but")


# --- names -------------------------------------------------------------------------------------------

def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 or c in "-' ." for c in text)


@lru_cache(maxsize=1)
def _is_word():
    from thematic.deidentify.words import word_tests

    return word_tests("en_core_web_sm")[0]


class NamePool:
    """People's names from Faker (one seeded Faker per locale) and nicknames, split by first name."""

    def __init__(self, seed: int):
        from faker import Faker
        from nicknames import NickNamer

        self.rng = random.Random(seed)
        self.fakers = {}
        for n, locale in enumerate(LOCALES):
            faker = Faker(locale)
            faker.seed_instance(seed * 1000 + n)
            self.fakers[locale] = faker
        self.weights = [LOCALE_WEIGHTS.get(locale, 1) for locale in LOCALES]
        self.nicknamer = NickNamer()

    @staticmethod
    def is_plain_word(name: str) -> bool:
        """A dictionary word that is not a common given name (the recogniser's own test)."""
        from thematic.deidentify.speech_names import word_names

        lower = _strip_accents(name).lower()
        return _is_word()(lower) and lower not in word_names()

    @staticmethod
    def part_of(first: str) -> str:
        """``"dev"`` for about a fifth of first names (by a hash), else ``"train"``."""
        digest = hashlib.sha256(_strip_accents(first).lower().encode()).digest()
        return "dev" if digest[0] < 52 else "train"

    def _draw(self, split: str, kind: str) -> str:
        for _ in range(200):
            locale = self.rng.choices(LOCALES, weights=self.weights)[0]
            faker = self.fakers[locale]
            value = faker.first_name() if kind == "first" else faker.last_name()
            if self.rng.random() < 0.5:
                value = _strip_accents(value)
            if not _latin(value) or not value.strip():
                continue
            if kind == "first" and self.part_of(value) != split:
                continue
            if kind == "first" and self.is_plain_word(value):
                continue  # "Long", "Else", "Per": Faker's lists hold them; speech uses them as words
            return value.strip()
        raise RuntimeError("no name drawn")

    def first(self, split: str) -> str:
        name = self._draw(split, "first")
        if self.rng.random() < 0.15:
            nicks = sorted(self.nicknamer.nicknames_of(name.lower()))
            nicks = [n for n in nicks if self.part_of(n) == split]
            if nicks:
                return self.rng.choice(nicks).capitalize()
        return name

    def surname(self, split: str) -> str:
        surname = self._draw(split, "last")
        roll = self.rng.random()
        if roll < 0.06:
            surname = f"{surname}-{self._draw(split, 'last')}"  # double-barrelled
        elif roll < 0.10:
            particle = self.rng.choice(PARTICLES)
            surname = f"{particle}{surname}" if particle.endswith("'") else f"{particle} {surname}"
        return surname

    def person(self, slot: str, split: str) -> str:
        if slot == "F":
            return self.first(split)
        if slot == "S":
            return f"{self.rng.choice(TITLES)} {self.surname(split)}"
        if slot == "FULL":
            return f"{self.first(split)} {self.surname(split)}"
        roll = self.rng.random()  # "P": any form
        if roll < 0.4:
            return self.first(split)
        if roll < 0.75:
            return f"{self.first(split)} {self.surname(split)}"
        if roll < 0.9:
            return f"{self.rng.choice(TITLES)} {self.surname(split)}"
        return f"{self.rng.choice(TITLES)} {self.first(split)} {self.surname(split)}"


# --- sentences ------------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(P|F|S|FULL)\}")


def _pieces(template: str, names: NamePool, split: str) -> list[tuple[str, bool]]:
    """The template as ``(text, is_name)`` pieces, literal text split into words."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _SLOT.finditer(template):
        pieces += [(w, False) for w in template[position:match.start()].split(" ") if w]
        name = names.person(match.group(1), split)
        tail = template[match.end():]
        glued = re.match(r"[^\s]*", tail).group(0)  # "'s", ",", "?" stay on the name's word
        pieces.append((name, True))
        if glued:
            pieces.append(("\x00" + glued, False))  # joined to the name without a space
        position = match.end() + len(glued)
    pieces += [(w, False) for w in template[position:].split(" ") if w]
    return pieces


def _noisy(pieces: list[tuple[str, bool]], rng: random.Random) -> list[tuple[str, bool]]:
    """Fillers, a lead word, a false start or a repeated word, at random (never inside a name)."""
    out = list(pieces)
    if rng.random() < 0.35:
        out.insert(0, (rng.choice(LEADS) + ("," if rng.random() < 0.5 else ""), False))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        at = rng.randrange(len(out) + 1)
        if at < len(out) and out[at][0].startswith("\x00"):
            continue
        out.insert(at, (rng.choice(FILLERS) + ("," if rng.random() < 0.4 else ""), False))
    if rng.random() < 0.15:  # false start or repetition of a word
        words = [n for n, (text, is_name) in enumerate(out) if not is_name and not text.startswith("\x00")]
        if words:
            at = rng.choice(words)
            word = out[at][0].strip(",.?")
            out.insert(at, (word + ("-" if rng.random() < 0.5 else ""), False))
    return out


def _render(pieces: list[tuple[str, bool]], case: str) -> tuple[str, list[list]]:
    text, spans = "", []
    for piece, is_name in pieces:
        joined = piece.startswith("\x00")
        piece = piece.lstrip("\x00")
        if case == "asr" and not is_name:
            piece = re.sub(r"[,.?!:;]", "", piece)
            if not piece:
                continue
        if case in ("lower", "asr"):
            piece = piece.lower()
        if text and not joined:
            text += " "
        if is_name:
            spans.append([len(text), len(text) + len(piece), "PERSON"])
        text += piece
    if case == "written" and text:
        text = text[0].upper() + text[1:]
        if text[-1] not in ".?!":
            text += "."
    return text, spans


CASES = ("written", "written", "lower", "asr")


def templates() -> list[tuple[str, str, str]]:
    """``(template id, register, template)`` of every template, positives then negatives."""
    rows = []
    for kind, groups in (("pos", POSITIVE), ("neg", NEGATIVE)):
        for register, lines in groups.items():
            for n, line in enumerate(lines):
                rows.append((f"{kind}-{register}-{n:02d}", register, line))
    return rows


def split_of(template_id: str) -> str:
    """``"dev"`` for about a fifth of the templates (by a hash of the id), else ``"train"``."""
    return "dev" if hashlib.sha256(template_id.encode()).digest()[0] < 52 else "train"


def build(*, sentences: int, seed: int) -> list[dict]:
    """The corpus: *sentences* sentences, half from the scene templates and half from the frames,
    about a third of each without names."""
    rng = random.Random(seed)
    names = NamePool(seed)
    rows = templates()
    positives = [r for r in rows if r[0].startswith("pos")]
    negatives = [r for r in rows if r[0].startswith("neg")]

    def one(negative: bool, want_split: str | None = None):
        for _ in range(100):
            if rng.random() < 0.5:
                template_id, register, template = rng.choice(negatives if negative else positives)
                split = split_of(template_id)
                if want_split and split != want_split:
                    continue
                return _pieces(template, names, split), template_id, register, split
            pieces, template_id, split = frame_sentence(rng, names, negative=negative)
            if want_split and split != want_split:
                continue
            return pieces, template_id, "frame", split
        raise RuntimeError("no sentence drawn")

    out = []
    for _ in range(sentences):
        pieces, template_id, register, split = one(rng.random() < 0.33)
        pieces = _noisy(pieces, rng)
        case = rng.choice(CASES)
        text, spans = _render(pieces, case)
        if rng.random() < 0.15:  # two utterances run together, as a turn
            more, _, _, _ = one(rng.random() < 0.5, split)
            text2, spans2 = _render(_noisy(more, rng), case)
            offset = len(text) + 1
            text = f"{text} {text2}"
            spans += [[s + offset, e + offset, label] for s, e, label in spans2]
        out.append({"text": text, "spans": spans, "template": template_id, "register": register,
                    "case": case, "split": split})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/speech-names.jsonl"))
    parser.add_argument("--sentences", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    corpus = build(sentences=args.sentences, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in corpus), encoding="utf-8")
    parts = {s: sum(r["split"] == s for r in corpus) for s in ("train", "dev")}
    print(f"{len(corpus)} sentences ({parts}), {sum(len(r['spans']) for r in corpus)} names -> {args.out}")


if __name__ == "__main__":
    main()
