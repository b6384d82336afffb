"""Word lists for `detectors.sentiment`, on top of TextBlob's bundled adjective lexicon.

TextBlob's lexicon (en-sentiment.xml) scores adjectives of movie reviews. Brand mentions complain
with verbs, nouns and fixed phrases instead ("lost my bag", "still no refund", "on hold"), so these
lists cover customer-service and crisis language across airlines, telecom, retail, banking, food,
utilities and tech support. Scores use TextBlob's scale (-1 .. 1). Entries are general English, not
words picked from any evaluation set.

Kinds of entry, each handled differently by the scorer:
- WORDS: plain valence for words TextBlob lacks (verbs, nouns, slang) or scores badly for tweets.
- COMPLAINTS: service and crisis failures, reported as signals "complaint:<topic>".
- EXPECTATIONS: things a customer expects to happen or to get; harmless alone, a complaint when
  negated ("never arrived", "no refund", "doesn't work", "no longer works").
- PHRASES: multi-word units whose meaning is not the sum of their words.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """A word set written as one string: long lists stay readable and diff line by line."""
    return frozenset(text.split())


# Descriptive adjectives TextBlob scores although they rarely carry opinion in a mention
# ("a little late", "I mean", "new model", "in its own right", "first look"). Zeroed so that
# neutral news stays neutral and their score does not dilute the words that do carry opinion.
NEUTRALISED: frozenset[str] = _words(
    "little few less other mean black white dark old high real big small long first new "
    "live own full last least only most sure right public official final next early main "
    "major general common certain particular special such much more many several same "
    "different whole entire open close clear huge large short deep low fly single attendant "
    "previous green available able due social normal light hot cheap true"
)

# General opinion words missing from TextBlob or scored too weakly there, incl. tweet slang.
WORDS: dict[str, float] = {
    # negative verbs / nouns / slang
    "hate": -0.8, "hated": -0.8, "hates": -0.8, "hating": -0.7, "hater": -0.4,
    "suck": -0.7, "sucks": -0.7, "sucked": -0.7, "sucky": -0.7, "sux": -0.7,
    "fail": -0.6, "fails": -0.6, "failed": -0.6, "failing": -0.6, "failure": -0.6, "epicfail": -0.8,
    "fml": -0.7, "ugh": -0.6, "argh": -0.6, "grr": -0.6, "grrr": -0.6, "meh": -0.3,
    "damn": -0.4, "dammit": -0.6, "wtf": -0.6, "smh": -0.5, "ffs": -0.6, "omfg": -0.2,
    "annoy": -0.6, "annoyed": -0.6, "annoying": -0.6, "annoys": -0.6, "annoyance": -0.5,
    "frustrated": -0.7, "frustrating": -0.7, "frustration": -0.6,
    "disappoint": -0.6, "disappointed": -0.7, "disappointing": -0.7, "disappointment": -0.7,
    "regret": -0.6, "regrets": -0.5, "upset": -0.6, "furious": -0.9, "livid": -0.9,
    "pissed": -0.8, "mad": -0.5, "angry": -0.7, "outraged": -0.8, "outrage": -0.7,
    "cry": -0.5, "crying": -0.5, "cried": -0.5, "tears": -0.3, "sad": -0.6, "sadly": -0.5,
    "unfortunately": -0.4, "depressed": -0.7, "depressing": -0.7, "miserable": -0.8,
    "hurt": -0.5, "hurts": -0.5, "pain": -0.5, "painful": -0.6, "ache": -0.4, "sore": -0.4,
    "worry": -0.4, "worried": -0.5, "worrying": -0.5, "scared": -0.5, "afraid": -0.4,
    "fear": -0.5, "terrified": -0.7, "nightmare": -0.8, "disaster": -0.8, "mess": -0.5,
    "hell": -0.5, "crap": -0.7, "crappy": -0.7, "shit": -0.6, "shitty": -0.8,
    "bullshit": -0.8, "bs": -0.5, "garbage": -0.8, "trash": -0.7, "junk": -0.7,
    "rubbish": -0.7, "lame": -0.6, "pathetic": -0.8, "ridiculous": -0.6, "absurd": -0.5,
    "unacceptable": -0.9, "incompetent": -0.9, "incompetence": -0.9, "clueless": -0.6,
    "rude": -0.7, "awful": -0.9, "horrible": -0.9, "terrible": -0.9, "dreadful": -0.8,
    "horrendous": -0.9, "atrocious": -0.9, "abysmal": -0.9, "appalling": -0.9,
    "disgusting": -0.9, "disgusted": -0.8, "disgrace": -0.9, "disgraceful": -0.9,
    "shameful": -0.8, "shame": -0.5, "embarrassing": -0.6, "joke": -0.3,
    "useless": -0.8, "worthless": -0.8, "pointless": -0.6, "hopeless": -0.7,
    "liar": -0.8, "liars": -0.8, "lies": -0.6, "lied": -0.7, "lying": -0.5,
    "cheat": -0.7, "cheated": -0.8, "cheating": -0.6, "stole": -0.7, "stolen": -0.6,
    "steal": -0.5, "robbed": -0.8, "ripped": -0.4, "greedy": -0.7, "greed": -0.6,
    "bored": -0.5, "boring": -0.6, "dislike": -0.6, "dislikes": -0.6, "ignored": -0.6,
    "ignoring": -0.6, "ignore": -0.4, "complain": -0.4, "complaint": -0.5,
    "complaints": -0.5, "complaining": -0.4, "problem": -0.4, "problems": -0.4,
    "issue": -0.3, "issues": -0.3, "trouble": -0.5, "hassle": -0.5, "headache": -0.5,
    "miss": -0.3, "missed": -0.4, "missing": -0.4, "lose": -0.4, "losing": -0.4,
    "lost": -0.5, "loss": -0.5, "died": -0.6, "dies": -0.5, "dead": -0.5, "death": -0.5,
    "kill": -0.5, "killed": -0.6, "killing": -0.5, "sucker": -0.5, "idiot": -0.8,
    "idiots": -0.8, "stupid": -0.8, "dumb": -0.7, "moron": -0.8, "morons": -0.8,
    "poorly": -0.6, "badly": -0.6, "worse": -0.8, "worst": -1.0, "wrong": -0.5,
    "unhappy": -0.7, "unfair": -0.6, "sorry": -0.3, "apologize": -0.2,
    "apologies": -0.2, "avoid": -0.5, "beware": -0.7, "warning": -0.4, "sick": -0.6,
    "tired": -0.4, "exhausted": -0.5, "stress": -0.5, "stressed": -0.6, "stressful": -0.6,
    "danger": -0.6, "dangerous": -0.7, "unsafe": -0.7, "toxic": -0.7, "fake": -0.5,
    "sloppy": -0.6, "unreliable": -0.7, "unprofessional": -0.8, "unhelpful": -0.7,
    "yuck": -0.7, "gross": -0.7, "ew": -0.5, "eww": -0.6, "boo": -0.4, "booo": -0.5,
    "blah": -0.3, "sigh": -0.4, "nooo": -0.5, "noooo": -0.5, "ouch": -0.4, "oops": -0.2,
    "cringe": -0.6, "rant": -0.4, "hostage": -0.6, "insult": -0.7, "insulting": -0.7,
    # positive verbs / nouns / slang
    "love": 0.6, "loved": 0.6, "liked": 0.4, "loves": 0.6, "loving": 0.6, "lovely": 0.7,
    "enjoy": 0.5, "enjoyed": 0.5, "enjoying": 0.5, "enjoys": 0.5,
    "thank": 0.4, "thanks": 0.4, "thx": 0.4, "ty": 0.3, "thankful": 0.6, "grateful": 0.6,
    "appreciate": 0.5, "appreciated": 0.5, "recommend": 0.5, "recommended": 0.5,
    "win": 0.4, "won": 0.4, "winning": 0.4, "winner": 0.5, "yay": 0.7, "woohoo": 0.7,
    "woot": 0.6, "hooray": 0.7, "congrats": 0.6, "congratulations": 0.6, "kudos": 0.6,
    "props": 0.4, "rocks": 0.6, "rock": 0.2, "rocked": 0.5, "smile": 0.4, "smiling": 0.4,
    "glad": 0.6, "impressed": 0.6, "impressive": 0.7, "wow": 0.3, "fav": 0.5,
    "favorite": 0.5, "favourite": 0.5, "fave": 0.5, "haha": 0.2, "hahaha": 0.2, "lol": 0.1,
    "excited": 0.6, "exciting": 0.6, "stoked": 0.7, "thrilled": 0.7, "pleased": 0.6,
    "delighted": 0.8, "helpful": 0.5, "friendly": 0.5, "smooth": 0.4, "seamless": 0.5,
    "fixed": 0.2, "resolved": 0.3, "solved": 0.3, "sorted": 0.2, "refunded": 0.1,
    "worth": 0.3, "hero": 0.5, "heroes": 0.5, "legend": 0.5, "champ": 0.4, "blessed": 0.6,
    "fun": 0.4, "funny": 0.3, "cute": 0.5, "sweet": 0.5, "yummy": 0.7, "delicious": 0.8,
    "awesome": 0.9, "amazing": 0.8, "fantastic": 0.8, "excellent": 0.9, "wonderful": 0.9,
    "brilliant": 0.8, "superb": 0.9, "outstanding": 0.8, "perfect": 0.9, "flawless": 0.8,
    "best": 0.8, "better": 0.4, "good": 0.6, "great": 0.8, "nice": 0.6, "cool": 0.4,
    "happy": 0.7, "pleasant": 0.6, "beautiful": 0.8, "gorgeous": 0.8, "sleek": 0.5,
}

# Customer-service failures and brand crises. topic -> {word: valence}. A hit is reported as a
# signal "complaint:<word>" so a comms lead sees *why* a mention was flagged.
COMPLAINTS: dict[str, dict[str, float]] = {
    "travel": {
        "delay": -0.5, "delays": -0.5, "delayed": -0.6, "cancelled": -0.6, "canceled": -0.6,
        "cancellation": -0.5, "grounded": -0.5, "cancellations": -0.5, "stranded": -0.8,
        "overbooked": -0.6,
        "diverted": -0.4, "rebooked": -0.3, "bumped": -0.3, "layover": -0.1,
        "tarmac": -0.2, "late": -0.4, "misplaced": -0.5,
    },
    "money": {
        "refund": -0.25, "refunds": -0.25, "chargeback": -0.6, "overcharged": -0.8,
        "overcharge": -0.7, "overbilled": -0.8, "overdraft": -0.5, "fees": -0.1,
        "fee": -0.1, "surcharge": -0.4, "ripoff": -0.8, "scam": -0.9, "scammed": -0.9,
        "scammers": -0.9, "scams": -0.8, "fraud": -0.8, "fraudulent": -0.8,
        "unauthorized": -0.6, "unauthorised": -0.6, "declined": -0.4, "overpriced": -0.6,
        "extortion": -0.8, "skimmed": -0.5, "cancel": -0.3, "cancelling": -0.4,
        "canceling": -0.4, "rip-off": -0.8, "compensation": -0.1, "dispute": -0.4,
    },
    "product": {
        "broken": -0.6, "broke": -0.5, "breaks": -0.4, "defective": -0.8, "faulty": -0.7,
        "damaged": -0.6, "cracked": -0.5, "leaking": -0.5, "leaks": -0.4, "malfunction": -0.7,
        "malfunctioning": -0.7, "recall": -0.6, "recalled": -0.6, "recalls": -0.6,
        "counterfeit": -0.7, "knockoff": -0.5, "flimsy": -0.6, "cheaply": -0.5,
        "overheating": -0.6, "overheats": -0.6, "exploded": -0.8, "explode": -0.6,
        "melted": -0.5, "shattered": -0.5, "dented": -0.4, "wrong": -0.5,
    },
    "tech": {
        "outage": -0.8, "outages": -0.8, "offline": -0.4, "crash": -0.6, "crashes": -0.6,
        "crashed": -0.6, "crashing": -0.6, "glitch": -0.5, "glitches": -0.5,
        "glitchy": -0.6, "buggy": -0.6, "bug": -0.3, "bugs": -0.3, "error": -0.4,
        "errors": -0.4, "frozen": -0.4, "freezes": -0.5, "freezing": -0.4, "froze": -0.5,
        "laggy": -0.6, "lag": -0.4, "lagging": -0.5, "unresponsive": -0.7,
        "unreachable": -0.6, "unusable": -0.8, "disconnected": -0.5, "disconnects": -0.5,
        "dropped": -0.4, "dropping": -0.4, "buffering": -0.5, "throttled": -0.6,
        "throttling": -0.6, "bricked": -0.9, "downtime": -0.6, "reboot": -0.1,
        "hacked": -0.8, "breach": -0.8, "breached": -0.8, "leaked": -0.6,
        "leak": -0.5, "hacker": -0.4, "hackers": -0.5, "compromised": -0.7,
        "phishing": -0.7, "spam": -0.5, "spammed": -0.6,
        "malware": -0.7, "disabled": -0.4, "suspended": -0.4, "banned": -0.5,
        "deactivated": -0.4, "exposed": -0.4, "ransomware": -0.8, "locked": -0.3, "lockout": -0.5,
    },
    "service": {
        "unanswered": -0.6, "refused": -0.5, "refuse": -0.4, "refuses": -0.5,
        "transferred": -0.2, "runaround": -0.7, "hung": -0.3,
        "rude": -0.7, "incompetent": -0.9, "unhelpful": -0.7, "waited": -0.4,
        "queue": -0.1, "escalate": -0.4, "escalated": -0.4,
        "unprofessional": -0.8, "ghosted": -0.7, "excuses": -0.5, "excuse": -0.3,
    },
    "food": {
        "stale": -0.6, "undercooked": -0.7, "raw": -0.3, "spoiled": -0.7, "rotten": -0.8,
        "moldy": -0.8, "mouldy": -0.8, "expired": -0.5, "poisoning": -0.9,
        "cockroach": -0.9, "cockroaches": -0.9, "roach": -0.8, "rats": -0.6,
        "filthy": -0.8, "dirty": -0.6, "unsanitary": -0.9, "soggy": -0.5, "burnt": -0.5,
        "inedible": -0.8, "overcooked": -0.5, "tasteless": -0.6, "greasy": -0.4, "bland": -0.4,
        "cold": -0.3,
    },
    "crisis": {
        "boycott": -0.8, "boycotting": -0.8, "lawsuit": -0.6, "lawsuits": -0.6,
        "sue": -0.6, "sued": -0.6, "suing": -0.6, "scandal": -0.8, "layoffs": -0.5,
        "bankrupt": -0.7, "bankruptcy": -0.6, "investigation": -0.3, "fined": -0.5,
        "negligence": -0.8, "negligent": -0.8, "injured": -0.6, "injury": -0.5,
        "racist": -0.9, "racism": -0.8, "sexist": -0.8, "discrimination": -0.8,
        "harassment": -0.8, "cover-up": -0.8, "coverup": -0.8, "misleading": -0.7,
        "deceptive": -0.8, "unethical": -0.8, "exploitation": -0.7,
        "protest": -0.4, "protests": -0.4, "backlash": -0.7, "shitstorm": -0.8,
    },
}

# Things a customer expects to happen or get. Alone they are neutral ("the app works", "refund
# requested"); negated they are the commonest shape of a complaint ("never arrived", "no refund",
# "doesn't work", "no longer loads", "can't log in", "nobody answers").
EXPECTATIONS: frozenset[str] = _words(
    "work works working worked function functioning load loads loading loaded connect "
    "connects connecting connected access login log sign open opens opening start starts "
    "starting boot charge charges charging turn sync syncing send sends sending arrive "
    "arrives arrived arriving came show shows showed shown receive received receiving "
    "get got gotten getting make made making reach reached respond responds responded responding "
    "response responses reply replies replied replying answer answers answered answering "
    "call calls called callback fix fixes fixed fixing resolve resolved refund refunded "
    "deliver delivers delivered delivery ship shipped shipping help helps helped helping "
    "care cares listen listens listened update updates updated signal service coverage "
    "internet wifi power water heat reception bars connection tracking info information "
    "communication contact apology compensation explanation support update "
    "hear heard acknowledge acknowledged confirm confirmation notice notification "
    "compensate compensated honor honour honored process processed accept accepted"
)

NEGATORS: frozenset[str] = _words(
    "not no never nothing nobody noone none nowhere neither nor without cannot cant "
    "dont doesnt didnt isnt wasnt arent werent wont wouldnt couldnt shouldnt havent hasnt "
    "hadnt aint zero lack lacking lacks hardly stopped stops"
)

# Multiplier applied to the next opinion word. Values follow common practice (VADER-like ~±30%).
INTENSIFIERS: dict[str, float] = {
    "very": 1.3, "really": 1.3, "so": 1.3, "soo": 1.4, "sooo": 1.5, "too": 1.2,
    "extremely": 1.5, "absolutely": 1.4, "totally": 1.3, "completely": 1.4, "utterly": 1.5,
    "super": 1.3, "incredibly": 1.5, "seriously": 1.3, "truly": 1.3, "such": 1.2,
    "fucking": 1.5, "freaking": 1.3, "frickin": 1.3, "bloody": 1.3, "insanely": 1.4,
    "ridiculously": 1.4, "terribly": 1.4, "awfully": 1.3, "highly": 1.3, "most": 1.2,
    "beyond": 1.3, "especially": 1.2, "particularly": 1.2, "quite": 1.1,
    "kinda": 0.7, "sorta": 0.7, "somewhat": 0.7, "slightly": 0.6,
    "bit": 0.7, "fairly": 0.8, "pretty": 0.9, "barely": 0.5, "mildly": 0.6, "almost": 0.7,
}

# "like" is mostly a preposition or filler in tweets; it is the verb of liking after these words
# ("I like", "don't like", "really like").
LIKE_VERB_AFTER: frozenset[str] = _words(
    "i we you they he she dont didnt doesnt do does did really would not just also still totally"
)

# Praise words that are often used ironically when they frame a complaint ("great, another
# delay", "thanks for losing my bag", "love waiting on hold").
SARCASM_PRONE: frozenset[str] = _words(
    "great greatt awesome nice perfect fantastic wonderful brilliant amazing lovely "
    "thanks thank thx love loving loved fun cool super excellent superb wow yay "
    "congrats congratulations good best fabulous terrific splendid"
)

# Ironic when a complaint sits in the same mention ("update deleted my files, thanks a lot").
IRONIC_PHRASES: frozenset[str] = frozenset(("phrase:thanks a lot",))

# Things nobody loves: "love" right before them is sarcasm on its own ("love waiting on hold").
NOBODY_LOVES: frozenset[str] = _words("waiting paying sitting standing queuing queueing")

# Words that end a negation's reach: "not by working but investing" negates nothing after "by".
NEGATION_BARRIERS: frozenset[str] = _words(
    "by because since until if when while although though whereas unless"
)

# Interjections that introduce an ironic praise word ("oh great", "just perfect", "wow thanks").
SARCASM_LEADS: frozenset[str] = _words("oh ooh just wow yeah gee well so")

# Words saying a failure is repeated or unresolved; they make a complaint stronger.
PERSISTENCE: frozenset[str] = _words("still again another yet always every constantly")

# Waiting is a complaint when it is long: a wait word plus a duration ("on hold for an hour").
WAIT_WORDS: frozenset[str] = _words("wait waiting waited hold queue line stuck sat sitting")
DURATIONS: frozenset[str] = _words(
    "hour hours hr hrs minutes mins min days day weeks week months month forever ages"
)

# Multi-word units: tuple of tokens -> (valence, signal). Matched before single words.
PHRASES: dict[tuple[str, ...], tuple[float, str]] = {
    ("on", "hold"): (-0.5, "complaint:on hold"),
    ("charged", "twice"): (-0.8, "complaint:charged twice"),
    ("double", "charged"): (-0.8, "complaint:double charged"),
    ("hidden", "fees"): (-0.7, "complaint:hidden fees"),
    ("rip", "off"): (-0.8, "complaint:rip off"),
    ("ripped", "off"): (-0.8, "complaint:ripped off"),
    ("never", "again"): (-0.8, "complaint:never again"),
    ("fed", "up"): (-0.7, "complaint:fed up"),
    ("sick", "of"): (-0.7, "complaint:sick of"),
    ("tired", "of"): (-0.6, "complaint:tired of"),
    ("had", "enough"): (-0.6, "complaint:had enough"),
    ("done", "with"): (-0.4, "complaint:done with"),
    ("stay", "away"): (-0.7, "complaint:stay away"),
    ("do", "not", "buy"): (-0.8, "complaint:do not buy"),
    ("dont", "buy"): (-0.8, "complaint:do not buy"),
    ("is", "down"): (-0.6, "complaint:down"),
    ("are", "down"): (-0.6, "complaint:down"),
    ("was", "down"): (-0.5, "complaint:down"),
    ("went", "down"): (-0.5, "complaint:down"),
    ("goes", "down"): (-0.5, "complaint:down"),
    ("been", "down"): (-0.6, "complaint:down"),
    ("down", "again"): (-0.7, "complaint:down"),
    ("still", "down"): (-0.7, "complaint:down"),
    ("stopped", "working"): (-0.7, "complaint:stopped working"),
    ("quit", "working"): (-0.7, "complaint:stopped working"),
    ("wrong", "order"): (-0.6, "complaint:wrong order"),
    ("wrong", "item"): (-0.6, "complaint:wrong item"),
    ("lost", "my"): (-0.7, "complaint:lost"),
    ("lost", "our"): (-0.7, "complaint:lost"),
    ("losing", "my"): (-0.7, "complaint:lost"),
    ("lose", "my"): (-0.6, "complaint:lost"),
    ("lost", "luggage"): (-0.8, "complaint:lost luggage"),
    ("lost", "bag"): (-0.8, "complaint:lost luggage"),
    ("lost", "package"): (-0.8, "complaint:lost package"),
    ("food", "poisoning"): (-0.9, "complaint:food poisoning"),
    ("best", "buy"): (0.0, ""),  # a retailer's name, not praise
    ("customer", "service"): (0.0, ""),  # a topic, not an opinion: keeps "service" neutral
    ("no", "one"): (0.0, "negation"),  # "no one answers": handled as a negator below
    ("no", "longer"): (0.0, "negation"),
    ("class", "action"): (-0.7, "complaint:class action"),
    ("data", "breach"): (-0.9, "complaint:data breach"),
    ("security", "breach"): (-0.9, "complaint:data breach"),
    ("identity", "theft"): (-0.9, "complaint:identity theft"),
    ("locked", "out"): (-0.6, "complaint:locked out"),
    ("hung", "up"): (-0.6, "complaint:hung up"),
    ("run", "around"): (-0.6, "complaint:runaround"),
    ("so", "much", "for"): (-0.5, "sarcasm"),
    ("yeah", "right"): (-0.5, "sarcasm"),
    ("thanks", "for", "nothing"): (-0.8, "sarcasm"),
    ("thank", "you", "for", "nothing"): (-0.8, "sarcasm"),
    ("thanks", "a", "lot"): (0.3, "phrase:thanks a lot"),  # ironic beside a complaint
    ("just", "what", "i", "needed"): (-0.4, "sarcasm"),
    ("what", "a", "joke"): (-0.7, "complaint:what a joke"),
    ("waste", "of"): (-0.7, "complaint:waste"),
    ("wasted", "my"): (-0.7, "complaint:waste"),
    ("cant", "wait"): (0.5, "phrase:can't wait"),
    ("cannot", "wait"): (0.5, "phrase:can't wait"),
    ("no", "problem"): (0.2, "phrase:no problem"),
    ("no", "worries"): (0.2, "phrase:no worries"),
    ("no", "doubt"): (0.1, "phrase:no doubt"),
    ("not", "only"): (0.0, ""),
    ("not", "just"): (0.0, ""),
    ("kind", "of"): (0.0, ""),
    ("sort", "of"): (0.0, ""),
    ("a", "bit"): (0.0, ""),
    ("look", "forward"): (0.5, "phrase:look forward"),
    ("looking", "forward"): (0.5, "phrase:look forward"),
    ("well", "done"): (0.6, "phrase:well done"),
    ("big", "fan"): (0.6, "phrase:big fan"),
    ("must", "have"): (0.4, "phrase:must have"),
    ("top", "notch"): (0.8, "phrase:top notch"),
    ("pain", "in", "the"): (-0.6, "phrase:pain in the"),
    ("where", "is", "my"): (-0.5, "complaint:where is my"),
    ("where's", "my"): (-0.5, "complaint:where is my"),
    ("where", "are", "my"): (-0.5, "complaint:where is my"),
    ("please", "help"): (-0.3, "complaint:please help"),
    ("real", "person"): (-0.4, "complaint:real person"),
    ("real", "human"): (-0.4, "complaint:real person"),
    ("get", "enough"): (0.5, "phrase:can't get enough"),
    ("get", "me", "wrong"): (0.0, ""),
    ("change", "fee"): (-0.5, "complaint:change fee"),
    ("baggage", "fee"): (-0.2, "complaint:baggage fee"),
    ("bad", "ass"): (0.5, "phrase:bad ass"),
    ("kicking", "me", "out"): (-0.5, "complaint:kicked out"),
    ("kicked", "me", "out"): (-0.5, "complaint:kicked out"),
    ("logging", "me", "out"): (-0.5, "complaint:logged out"),
    ("logged", "me", "out"): (-0.4, "complaint:logged out"),
    ("price", "hike"): (-0.5, "complaint:price hike"),
    ("rate", "hike"): (-0.4, "complaint:price hike"),
    ("raising", "prices"): (-0.4, "complaint:price hike"),
    ("raised", "prices"): (-0.4, "complaint:price hike"),
    ("hidden", "charges"): (-0.7, "complaint:hidden fees"),
    ("money", "back"): (-0.5, "complaint:money back"),
    ("how", "you", "treat"): (-0.5, "complaint:how you treat"),
    ("holding", "my"): (-0.4, "complaint:holding my"),
    ("marked", "as", "delivered"): (-0.4, "complaint:marked as delivered"),
    ("out", "of", "stock"): (-0.3, "complaint:out of stock"),
    ("internet", "out"): (-0.6, "complaint:outage"),
    ("internet", "is", "out"): (-0.6, "complaint:outage"),
    ("power", "out"): (-0.6, "complaint:outage"),
    ("power", "is", "out"): (-0.6, "complaint:outage"),
    ("service", "out"): (-0.6, "complaint:outage"),
    ("cable", "out"): (-0.6, "complaint:outage"),
    ("wifi", "out"): (-0.6, "complaint:outage"),
    ("has", "been", "out"): (-0.4, "complaint:outage"),
    ("down", "for", "anyone"): (-0.6, "complaint:down"),
    ("down", "for", "everyone"): (-0.6, "complaint:down"),
    ("down", "right", "now"): (-0.6, "complaint:down"),
    ("site", "down"): (-0.6, "complaint:down"),
    ("app", "down"): (-0.6, "complaint:down"),
    ("server", "down"): (-0.6, "complaint:down"),
    ("servers", "down"): (-0.6, "complaint:down"),
    ("website", "down"): (-0.6, "complaint:down"),
    ("network", "down"): (-0.6, "complaint:down"),
    ("system", "down"): (-0.6, "complaint:down"),
    ("systems", "down"): (-0.6, "complaint:down"),
    ("service", "down"): (-0.6, "complaint:down"),
    ("hair", "in"): (-0.6, "complaint:hair in food"),
    ("you", "rock"): (0.6, "phrase:you rock"),
    ("you", "guys", "rock"): (0.6, "phrase:you rock"),
    ("takes", "forever"): (-0.5, "complaint:takes forever"),
    ("took", "forever"): (-0.5, "complaint:takes forever"),
    ("taking", "forever"): (-0.5, "complaint:takes forever"),
    ("for", "no", "reason"): (-0.4, "complaint:for no reason"),
    ("deleted", "my"): (-0.5, "complaint:deleted my"),
    ("pay", "extra"): (-0.2, "complaint:pay extra"),
    ("paying", "extra"): (-0.2, "complaint:pay extra"),
    ("awful", "lot"): (0.0, ""),
    ("cheat", "sheet"): (0.0, ""),
    ("hell", "yeah"): (0.5, "phrase:hell yeah"),
    ("hell", "of", "a"): (0.0, ""),
    ("shut", "up"): (-0.4, "phrase:shut up"),
    ("screw", "you"): (-0.8, "phrase:screw you"),
    ("damn", "you"): (-0.7, "phrase:damn you"),
    ("screwed", "up"): (-0.7, "phrase:screwed up"),
    ("messed", "up"): (-0.7, "phrase:messed up"),
    ("fucked", "up"): (-0.8, "phrase:fucked up"),
    ("fucking", "up"): (-0.8, "phrase:fucked up"),
    ("good", "riddance"): (-0.4, "phrase:good riddance"),
    ("oh", "well"): (-0.2, "phrase:oh well"),
    ("the", "hell"): (-0.4, "phrase:the hell"),
    ("the", "heck"): (-0.3, "phrase:the heck"),
    ("no", "thanks"): (-0.3, "phrase:no thanks"),
    ("let", "down"): (-0.6, "complaint:let down"),
    ("pissed", "off"): (-0.8, "phrase:pissed off"),
    ("shut", "down"): (-0.4, "complaint:shut down"),
    ("broke", "down"): (-0.6, "complaint:broke down"),
    ("broken", "down"): (-0.6, "complaint:broke down"),
    ("take", "care"): (0.0, ""),
    ("taking", "care"): (0.0, ""),
}

# Emoji and emoticons: valence. Skin-tone modifiers and variation selectors are stripped first.
EMOJI: dict[str, float] = {
    # negative
    "😡": -0.9, "😠": -0.8, "🤬": -0.9, "😤": -0.6, "👎": -0.7, "😢": -0.6, "😭": -0.5,
    "😞": -0.6, "😔": -0.5, "😟": -0.5, "😩": -0.6, "😫": -0.6, "🙄": -0.5, "😒": -0.5,
    "💩": -0.6, "🤮": -0.8, "🤢": -0.7, "😣": -0.5, "😖": -0.6, "😕": -0.4, "☹": -0.6,
    "🙁": -0.5, "😱": -0.4, "😰": -0.5, "😓": -0.4, "💔": -0.6, "🖕": -0.8, "🤦": -0.5,
    "😑": -0.3, "😬": -0.3, "😿": -0.5, "😾": -0.6, "🤡": -0.5, "🚩": -0.5, "⚠": -0.3,
    "😪": -0.3, "😥": -0.4, "😨": -0.5, "🥵": -0.2, "🤕": -0.4, "🤒": -0.4, "😵": -0.3,
    "🥴": -0.3, "🤯": -0.2, "😐": -0.1, "😶": -0.1, "🤷": -0.1,
    # positive
    "😍": 0.8, "😀": 0.6, "😃": 0.6, "😄": 0.6, "😁": 0.6, "😊": 0.7, "🙂": 0.4, "😉": 0.4,
    "😎": 0.5, "🥰": 0.8, "😘": 0.6, "❤": 0.7, "♥": 0.6, "💕": 0.7, "💖": 0.7, "💗": 0.7,
    "💙": 0.6, "💚": 0.6, "💜": 0.6, "🧡": 0.6, "💛": 0.6, "🤍": 0.5, "💯": 0.5, "👍": 0.6,
    "👏": 0.5, "🙌": 0.6, "🎉": 0.6, "🥳": 0.7, "✨": 0.3, "😂": 0.2, "🤣": 0.2, "🙏": 0.3,
    "✅": 0.3, "⭐": 0.4, "🌟": 0.5, "👌": 0.5, "💪": 0.4, "🤩": 0.8, "😻": 0.7, "☺": 0.6,
    "😇": 0.5, "🤗": 0.6, "😋": 0.6, "🏆": 0.5, "🥇": 0.5, "💐": 0.4, "😆": 0.4, "😅": 0.1,
}

EMOTICONS: dict[str, float] = {
    ":(": -0.6, ":-(": -0.6, ":((": -0.7, ":'(": -0.7, ";(": -0.5, ":-/": -0.4, ":/": -0.4,
    "=(": -0.6, ">:(": -0.8, ":[": -0.5, ":@": -0.7, ":c": -0.4, ":s": -0.4, ";_;": -0.6,
    "t_t": -0.6, "-_-": -0.3, ":|": -0.2, "</3": -0.6, ":-|": -0.2, "=/": -0.4, ":-[": -0.5,
    ":)": 0.6, ":-)": 0.6, ":))": 0.7, ":d": 0.7, ":-d": 0.7, "=)": 0.6, "=d": 0.7,
    ";)": 0.4, ";-)": 0.4, ":p": 0.3, ":-p": 0.3, "xd": 0.5, "<3": 0.7, "^_^": 0.6,
    ":]": 0.5, ":3": 0.4, ";d": 0.5, "(:": 0.6, "^^": 0.5, ":o)": 0.5, "8)": 0.4,
}

# Broad general-English opinion words (verbs, nouns, slang) that fill gaps in TextBlob's
# adjective lexicon. They only apply to words TextBlob and WORDS do not score, at a default
# valence: graded scores from those sources win.
GENERAL_NEGATIVE: frozenset[str] = _words(
    "abandon abandoned abuse abused abusive aching aggravate aggravated aggravating agony "
    "alarming anger angered anguish anxious anxiety apathetic appalled arrogant ashamed "
    "atrocity awkward backfire backfired bash bashed betray betrayed bitch bitching bitter "
    "blame blamed blames blew blunder bogus bombed bother bothered bothering bothers brutal "
    "bummed bummer burden busted butt careless catastrophe catastrophic chaos chaotic choke "
    "clumsy collapse collapsed condemn confused confusing corrupt corruption costly creepy "
    "cruel crushed curse cursed curses cursing damage damaging deadly deceive deceived "
    "defeat defeated defect deny denied deplorable desperate desperation destroy destroyed "
    "destroying destruction devastated devastating disagree disapprove discouraged disgust "
    "dishonest dismal displeased disrespect disrespectful distress distressed disturbing "
    "doom doomed douche douchebag douchebaggery downfall drained drama dread dreading "
    "dumped dying eek embarrassed enraged evil exhausting fault fiasco flaw flawed flop "
    "fool foolish fools forgot forgotten freak frightening fuck fucked fucks fuming gloomy "
    "gouge gouged gouging grief grim gripe grouchy grumpy guilty harass harm harmful harsh "
    "headache heartbreak heartbroken hideous horror horrid hostile humiliated hurting "
    "hypocrite hypocrisy idiotic ignorant impatient inadequate inconvenience inconvenient "
    "inferior infuriating infuriated insecure irritated irritating irritates itchy itch "
    "jealous jerk jerks lazy lonely loser losers lousy mediocre meltdown messed mistake "
    "mistakes misery mock mocked moan nasty neglect neglected nervous noisy nuisance nuts "
    "obnoxious offend offended offensive outrageous overrated overwhelmed panic paranoid "
    "pest pester plague poison punish punished puke rage raging reject rejected resent "
    "ruin ruined ruins scream screams screaming screw screwed screwing shock shocked "
    "shocking shoddy sluggish smells smelly snub sob sorrow spoil stink stinks stinky "
    "stuck suffer suffered suffering suffers sulk sulking suspicious swear swearing tanked "
    "tense torture tragedy tragic trapped traumatic troubled turmoil ugly unable "
    "unavailable uncomfortable unlucky unpleasant unstable urgh vile violent vomit weep "
    "whine whining wicked woe wreck wrecked yell yelled yelling zealots"
)
# Negative topics rather than opinions ("war", "risk", "bailout"): a weaker default, so a
# neutral news headline needs more than one of them to read as negative.
TOPIC_NEGATIVE: frozenset[str] = _words(
    "accident accidents attack attacked bailout conflict crime crimes crisis debt deficit "
    "decline emergency penalty risk risks risky threat threats threaten threatened "
    "victim victims virus war warn warned weakness shortage shortages"
)
GENERAL_POSITIVE: frozenset[str] = _words(
    "accomplish accomplished achievement adore adored admire affordable amazed awesomeness "
    "beautifully beloved benefit bless bliss blissful bonus bravo breakthrough calm "
    "celebrate celebrating champion charming cheer cheers cheerful comfort comfortable "
    "convenient cozy creative delight delightful dope effective efficient elegant "
    "encourage encouraging energetic enjoyable entertaining enthusiastic exceptional "
    "fabulous fascinating gift glory goodness gratitude greatest happiness happily "
    "harmony heal healthy heaven hope hopeful hug hugs improve improved improvement "
    "incredible inspire inspired inspiring intelligent joy joyful kiss kisses laugh "
    "laughing luck lucky marvelous masterpiece miracle neat nicely optimistic paradise "
    "passion peace peaceful perfectly phenomenal pleasure polite praise precious pride "
    "proud prosper relax relaxed relaxing relief relieved reliable respect rewarding "
    "satisfied satisfying spotless saved savior smart smiles spectacular splendid success "
    "successful supportive talent talented terrific thrill thrilling tremendous triumph "
    "trust trusted useful valuable victory vibrant welcome wisdom wise wonder yum"
)
