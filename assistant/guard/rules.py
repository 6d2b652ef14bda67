"""The red-flag rule table: the guard's first layer, exact and reviewable by a clinician without reading code.

Each `Rule` names a warning sign, its tier, the reply's reason and its source (the article's
"When to See a Doctor" list, or a named clinical addition), and the phrasings that report it.
Patterns are regular expressions over normalised text (lower case, no apostrophes, single
spaces); `matching.py` reads a message into that form and applies them. Safety first: when in
doubt, a rule fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Tier

__all__ = ["NEGATIONS", "RULES", "Rule", "SADDLE_AREA", "UPPER_BODY", "expand"]


@dataclass(frozen=True)
class Rule:
    """One clinician-reviewable red flag: what it is, how urgent, and how it is phrased."""

    category: str
    tier: Tier
    reason: str
    patterns: tuple[str, ...]
    source: str
    history_counts: bool = False  # a past episode is a red flag too ("had a stress fracture in 2019")
    paired: tuple[str, ...] = ()  # patterns that fire only when one of `together` is said too
    together: tuple[str, ...] = ()  # said in this turn or an earlier one ("grandma (84)…" + "she fell")


# --- Pattern vocabulary --------------------------------------------------------
# Patterns are regular expressions over the normalised text (lower case, no
# apostrophes, single spaces). Shorthands keep them readable:
#   "a ~ b"    "a", then up to three other words, then "b"; the words in between
#              may not be a negation, so "pain is not severe" never matches.
#   "a ~1 b"   the same with at most one word in between.
#   "<name>"   a word family from _TERMS below, e.g. <leg> for leg/thigh/calf...
#              "<my> " is an optional "my/the/his/her/a ...".

NEGATIONS = (
    "no", "not", "never", "without", "dont", "doesnt", "didnt", "havent", "hasnt",
    "hadnt", "isnt", "arent", "wasnt", "werent", "neither", "nor", "none", "nope",
    "deny", "denies", "denied", "free", "zero",
)
_GAP_BLOCKERS = NEGATIONS + ("wont", "cant", "cannot", "but")
_GAP_WORD = r"(?!(?:%s)\b)\w+ " % "|".join(_GAP_BLOCKERS)
_NOT_NEGATION = r"(?!(?:%s)\b)\w+ " % "|".join(NEGATIONS)


# "my leg looks shorter in my race photo": the camera, not the leg.
_IN_A_PICTURE = r" (?:\w+ ){0,5}(?:photos?|pics?|pictures?|videos?|mirror|selfies?|camera|angle)\b"


def _not_after(*phrases: str) -> str:
    """Lookbehinds that refuse a match right after any of `phrases` (one lookbehind per phrase length)."""
    by_length: dict[int, list[str]] = {}
    for phrase in phrases:
        by_length.setdefault(len(phrase), []).append(phrase)
    return "".join(f"(?<!(?:{'|'.join(group)}) )" for group in by_length.values())


SADDLE_AREA = (
    r"(?:groin|saddle|crotch|genitals?|genital area|privates|private (?:area|parts)|inner thighs?"
    r"|perineum|bum|buttocks|bottom|anus|back passage|between my legs|down there)"
)
# Not the leg: "my hands go numb when it's cold" (context.py adds teeth, jaw, shoulders… for a sign's body part).
UPPER_BODY = ("hand", "hands", "finger", "fingers", "arm", "arms", "face", "lips", "ear", "ears", "nose", "cheeks", "chin",
              "head", "neck")

_TERMS = {
    "my": r"(?:(?:my|his|her|their|the|your|one|both|a|that|this) )?",
    "pain": r"(?:pain|pains|painful|hurts?|hurting|aches?|aching|sore|soreness|throb\w*)",
    "leg": (
        r"(?:legs?|thighs?|knees?|calf|calves|shins?|foot|feet|toes?|ankles?|butt|buttocks?"
        r"|glutes?|backside|back|hamstrings?|groin)"
    ),
    "joint": r"(?:hips?|joints?|knees?)",
    "saddle": SADDLE_AREA,
    "weight": r"(?:w(?:ei|ie|e)(?:ght|gth|gt|ht|th)s?)",
    "cant": (
        r"(?:cant|cannot|can not|couldnt|could not|unable to|not able to|not being able to|hard to|difficult to"
        r"|difficulty|trouble|struggl\w*|hurts to|painful to|impossible to|can (?:barely|hardly)|barely|hardly"
        r"|no longer able to|can no longer|too painful to)"
    ),
    "kid": (
        r"(?:child|children|kids?|son|sons|daughters?|boys?|girls?|teens?|teenagers?|toddlers?"
        r"|adolescents?|youngsters?|grandsons?|granddaughters?|stepsons?|stepdaughters?"
        r"|nephews?|nieces?|(?:[1-9]|1[0-7]) ?(?:years?|yrs?|y) ?old|(?:[1-9]|1[0-7]) ?yo|(?:little|litle|lil|wee) ones?)"
    ),
    # Not a person falling: "my pace fell off", "temperatures fell", "I love fell running".
    "not_thing": _not_after(
        "pace", "mileage", "speed", "time", "times", "motivation", "training", "plan", "plans", "numbers", "splits",
        "temperature", "temperatures", "temp", "temps", "rate", "weight", "volume", "race", "races", "rain", "snow",
        "leaves", "love", "loves", "enjoy", "do", "into", "about", "try", "tried", "some", "of", "team", "relay",
        "squad", "club", "rankings", "ranking", "stocks", "prices", "sales",
    ),
    # Someone else's history is not the user's: "my friend had a stress fracture".
    "not_someone_else": _not_after(
        "friend", "friends", "mom", "mum", "mother", "dad", "father", "wife", "husband", "partner", "sister",
        "brother", "coach", "teammate", "buddy", "aunt", "uncle", "grandma", "grandpa", "cousin", "colleague",
    ),
    # Numb hands or face are not a leg symptom: "my hands go numb when it's cold".
    "not_upper_body": _not_after(*(
        f"{part} {verb}"
        for part in UPPER_BODY
        for verb in ("go", "goes", "went", "are", "get", "gets", "feel", "feels", "felt", "were", "was", "is")
    )),
    # A worry, not a report: "will running make it worse?", "scared of making my hip worse".
    "not_a_worry": _not_after("make", "make my", "of making", "of making my", "without making", "avoid making",
                              "am i making", "will", "would", "could", "might"),
    # Prevented, not happening: "what can i do to keep my hip from getting worse", "how do i stop it getting worse".
    "not_prevented": _not_after("from", "stop it", "prevent it"),
    # An alternative, not a report: "ice vs just resting", "exercises for hip pain instead of just resting".
    "not_an_alternative": _not_after("vs", "versus", "or", "instead of", "rather than"),
    # An idiom, not severity: "the worst part of being hurt is missing my runs", "worst thing about it".
    "not_worst_idiom": r"(?! (?:part|parts|thing|things|bit|bits) (?:of|about|is|was))",
    # Ahead, not now: "is it gonna be worse at night?", "it might get worse".
    "not_ahead": r"(?!(?:gonna|going to|will|would|might|could|may) )",
    # Not an illness: "marathon fever", "cabin fever".
    "not_fever_idiom": _not_after("marathon", "race", "cabin", "spring", "running", "hay", "night", "training", "cup",
                                  "shoe", "gold", "disco", "football", "playoff", "taper", "week"),
    "stress_fracture": r"(?:stres+ (?:frac\w*|fx|reactions?)|fatigue frac\w*)",
    "click": (
        r"(?:cli(?:ck|k|c)(?:s|ing|in|ed|y)?(?! (?:for|with) (?:me|us|him|her|them)| on| with (?:a|the|my|our|some|this)"
        r" (?:\w+ ){0,2}(?:club|group|team|coach|crew|people|physio|trainer|plan))"
        r"|pop(?:s|ping|pin|ped|py)?(?! up| open| out| (?:into|in to|by|round|over to|down to) (?:the|a|my|our)"
        r" (?:\w+ )?(?:shop|store|gym|pharmacy|chemist|cafe|office|house|clinic)| (?:a |an |some )?(?:pills?|tablets?|painkillers?"
        r"|advil|ibuprofen|tylenol|aleve|meds|songs?|music|tarts?|gels?|gu|chews|candy|vitamins?|supplements?))"
        r"|snap(?:s|ping|ped|py)?(?! (?:a |some )?(?:photos?|pics?|pictures?|selfies?)| at)"
        r"|clunk(?:s|ing|ed|y)?|clonk(?:s|ing|ed)?|crack(?:s|ing|ed|les|ling)?"
        r"|catch(?:es|ing|in|y)?(?! (?:my|your|his|her|a|the) (?:breath|eye|attention|bus|train|cold|flight|ride)| up)"
        r"|caught(?! (?:my|your|his|her|a|the) (?:breath|eye|attention|cold|bus|train)| up)"
        r"|lock(?:s|ing|ed)?(?! (?:my|the) (?:phone|car|door|screen)))"
    ),
}


def expand(pattern: str) -> str:
    """Turn a readable table pattern into plain regex source."""
    pattern = pattern.replace(" ~1 ", f" (?:{_GAP_WORD})?").replace(" ~ ", f" (?:{_GAP_WORD}){{0,3}}")
    pattern = pattern.replace(r"(?:\w+ ){", f"(?:{_NOT_NEGATION}){{")  # no gap reaches over a negation
    pattern = pattern.replace("<my> ", _TERMS["my"])
    return re.sub(r"<(\w+)>", lambda m: _TERMS[m[1]], pattern)


# --- The rule table --------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    # ---- The article's own list ("When to See a Doctor for Hip Pain") ----
    Rule(
        category="trauma",
        tier="see_doctor",
        reason="Pain after a fall, an accident or a sports injury needs a doctor's check.",
        source="Article, When to See a Doctor: 'Pain resulting from a trauma, fall, or sport injury'.",
        patterns=(
            r"<not_thing>fell?(?! (?:asleep|behind|short|apart|through|for|in love|head over heels|ill|sick|silent|quiet|pregnant"
            r"|out of (?:love|shape|the habit|touch|my plan|the plan)|off the wagon"
            r"|off (?:the |my )?(?:\w+ )?(?:pace|plan|schedule|radar|wagon)|back (?:into|to|on)|flat(?! on)"
            r"|into (?:a |the )?(?:habit|routine|rut|trap|place)|runn?(?:er|ers)|races?|racing"
            r"|to (?:first|second|third|fourth|fifth|sixth|last|bottom|the bottom|\d+\w*)\b))"
            r"(?: (?:on|off|down|over|from|onto) <my> \w+)?",
            r"<not_thing>fall(?:en|ing|s)? (?:down|over|onto|from|hard|badly|while|during|backwards?)",
            r"(?<!if )(?<!when )(?<!case )(?:ive|i have|i had|have|has|had|id|just|recently|i|she|he|we|they)"
            r"(?! to) ~1 (?:fallen|fall|falls)(?! (?:behind|asleep|short|apart|in love|head over heels|for|out|into|back|through"
            r"|off (?:the |my )?(?:pace|plan|wagon)|off (?:a |the )?cliff))",
            r"<not_thing>fall(?:en|ing|s)? off(?! (?:the |my |a )?(?:pace|wagon|plan|schedule|radar|map|cliff))",
            r"(?<!if i )(?<!if you )(?<!when i )(?<!when you )fall(?:en|ing)? on <my> (?:hip|side|butt|bum|back|leg"
            r"|knee|bottom|face|ice|stairs|steps|trail|road|pavement|concrete|sidewalk|track|ground|floor|rocks?"
            r"|tailbone|ass|pelvis)",
            r"(?:(?:took|take|taken|taking|had|have) )?(?:a|bad|hard|nasty|big|minor|slight|recent|my|that|any|huge"
            r"|awkward|serious|(?<!\bin )(?<!\bby )(?<!\bduring )the) (?:fall|tumble|spill)(?! (?:down the (?:rankings|standings|table|leaderboard)|season|races?"
            r"|marathon|half|training|block|schedule|semester|plan|5k|10k|runs?|running|weather|colou?rs|term|clothes|into"
            r"|break|back))",
            r"tumbled|tumbling (?:down|over)|wiped out(?! (?:for|by|from|after|all))|wipe ?out|biffed|face ?plant\w*"
            r"|ate (?:dirt|pavement|the pavement|asphalt|concrete)",
            r"(?:slipped|slipping|tripped|tripping) (?!over (?:my |his |her |their |our )?(?:own )?(?:words|tongue|lines))"
            r"(?:on|over|and|while|down|off|during|going|coming|backwards|hard)",
            r"stumbled (?:and|over|while|during|down|hard)",
            r"(?<!like i )(?<!like ive )(?<!like id )(?<!like weve )(?<!as if i )"  # "feel like i got run over" is a simile
            r"(?:got|get|gets|getting|was|been|were) ~1 (?:hit|struck|tackled|clipped|knocked (?:down|over|out)"
            r"|run over|rear ended|body checked)"
            r"(?! (?:with|by) (?:a |the )?(?:cold|flu|virus|bug|fatigue|wall|heat|traffic)| of (?:the|a|my|our) (?:\w+ ){0,2}(?:team|squad|relay|race|cup|competition|tournament))",
            r"hit by (?:a |an |the )?(?:car|bike|cyclist|truck|van|bus|vehicle|ball|player|someone|somebody)",
            r"(?:rugby|football|soccer|hockey|lacrosse|late|dirty|high|flying) tackle(?! (?:drills?|practice|technique|bags?"
            r"|dummy|dummies|pads?|shields?|box))",
            r"(?:took|take|taken|taking|got|had) (?:a )?(?:hard |big |nasty |bad |heavy |rugby |football |late )?"
            r"(?:hit|knock|blow|kick|tackle)"
            r"(?! (?:to (?:my|our) (?:pace|plan|training|confidence|times?|mileage)|(?:with|by) (?:a |the )?"
            r"(?:cold|flu|virus|bug|fatigue|wall|heat|traffic)))",
            r"(?:hit|knock|blow|kick) (?:to|on) <my> (?:hip|hips|side|thigh|leg|pelvis|butt|bum|tailbone)",
            r"(?:car|bike|cyclist|truck|van|bus|vehicle|player|someone|somebody|runner|dog) (?:hit|struck|knocked"
            r"|clipped|bumped|nudged|ran into|ran over) me",
            r"hit the (?:ground|deck|floor|pavement|concrete|ice|tarmac)(?! running)|went down (?:hard|on <my> \w+)",
            r"ran into (?:a |the )?(?:pole|post|car|tree|wall|sign|bollard|cyclist|bike|fence|barrier)",
            r"bruis\w* <my> (?:hip|hips|side|thigh|leg|pelvis|butt|bum|tailbone)",
            r"feel over(?! (?:it|this|that|the moon))",
            r"(?:hit|banged|bumped|smacked|slammed|smashed|whacked|knocked|jammed|twisted|wrenched|bashed|struck) <my> "
            r"(?:hip|hips|side|thigh|leg|pelvis|butt|bum|tailbone)",
            r"landed ~1 on <my> (?:hip|side|butt|bum|back|leg|knee|bottom|tailbone|pelvis)",
            r"(?<!total )(?<!complete )(?<!absolute )(?<!such a )"
            r"(?:car|bike|bicycle|cycling|motorcycle|motorbike|scooter|ski|skiing|skating|snowboarding|sports?|traffic"
            r"|road|horse|riding|climbing) (?:accident|crash|collision|wreck|injury|injuries|fall)",
            r"collided|collision|crashed (?:into|off|my|while|on (?:my|a|the) (?:bike|bicycle|descent|trail|road|ice"
            r"|scooter|skis?|board))",
            r"(?:had|in|into|was in|got in|got into) (?:a |an )?(?:bad |serious |minor |small |little |major |big )?"
            r"(?:accident|crash|wreck|collision)",
            r"(?:injur\w*|hurt|tweaked|twisted|wrenched|jammed) (?:it|myself|my (?!(?:finger|thumb|wrist|hand|arm|elbow"
            r"|shoulder|head|nose|face|neck)s? )\w+(?: \w+)?) "
            r"(?:playing|during (?:a |the )?(?:game|match|tackle|practice)|in (?:a |the )?(?:game|match|tackle"
            r"|collision|scrum)|at (?:soccer|football|rugby|hockey|basketball|netball|lacrosse|volleyball|practice))",
            r"traum\w*",
            r"(?:reversed|backed|swung|slammed|crashed|ran|bumped|banged|drove|rolled|smashed) into (?:me|my (?:hip|side|leg|thigh))|threw me|(?:taken|took me|takes me) out|(?:knocked|yanked|pulled|dragged) me (?:\w+ )?(?:down|over|sideways|flying|off)",
            r"(?:got|get|was|been) (?:\w+ )?(?:cliped|clipped|checked into|boarded|kicked (?:in|on)|kneed|elbowed|thrown|rammed|taken out|run into|body slammed)",
            r"landed (?:\w+ ){0,2}on (?:it|my|the|that)|bounced off|ate it|went flying|(?:went|flew) over (?:my|the) (?:handlebars|bars)|came off (?:my|the|a) (?:bike|board|horse|scooter|skateboard)|bailed",
            r"took (?:a|an) (?:\w+ )?(?:knee|elbow|hit|shot|boot|kick|stick|bat|puck|ball|racket|racquet|club|helmet) (?:\w+ ){0,3}(?:to|into|on) (?:the (?:side of )?)?(?:my )?(?:hip|side|thigh|leg)|(?:took|taking) the (?:whole|hole|full) (?:hit|impact)",
            r"(?:mtb|bike|ski|snowboard|snowbaord|skateboard|skatepark|hockey|horse|scooter|e ?scooter|trail|road|car|moped) (?:crash|accident|wipeout|spill|collision)",
            r"colided|collided|car door|hit by (?:a|the) (?:\w+ )?(?:mirror|door|ball|branch)",
            r"(?:fell|toppled|landed|crashed|collapsed|tripped) (?:onto|on top of|into) me"
            r"|(?:bumped|banged|knocked|smacked|whacked) (?:my hip |it |my side )?(?:on|into|against) (?:a|the) "
            r"(?:\w+ )?(?:desk|table|door|corner|counter|post|wall|furniture|bed|car)",
        ),
    ),
    Rule(
        category="severe_pain",
        tier="see_doctor",
        reason="Severe or constant pain, or pain that gets in the way of daily tasks, needs a doctor's check.",
        source="Article, When to See a Doctor: 'Pain that is severe, unrelenting, or interferes with daily tasks'.",
        patterns=(
            r"<pain> ~ (?:sever(?:e|ly)?|servere|excr\w+|exrucia\w*|unbear\w*|unbare\w*|agoni[sz]\w*|agony|intolerable"
            r"|crippling|debilitating|unrelenting|relentless|the worst|worst<not_worst_idiom>|insane|unreal|extreme"
            r"|horrendous|torture|brutal|terrible|horrible|awful)",
            r"(?:sever(?:e|ly)?|servere|excr\w+|exrucia\w*|unbear\w*|agoni[sz]\w*|intolerable|crippling|debilitating"
            r"|unrelenting|relentless|worst<not_worst_idiom>|extreme|horrendous|terrible|horrible|awful|constant|nonstop"
            r"|non stop|never ending|continuous|persistent) ~ <pain>",
            r"(?:it|its|it is|this|hip|my hip|mine|mines) ~ (?:severe|excr\w+|unbearable|agoni[sz]ing|intolerable|crippling"
            r"|debilitating|agony)(?! (?:training|workout|session|plan|block|schedule|heat|weather|cold|humidity"
            r"|hills?|course))",
            r"<pain> ~1 (?:like|so|really|super|very|extremely) (?:crazy|hell|heck|mad|a bitch|bad|badly|much)",
            r"(?:<pain>|it|its|hip|hips|groin|legs?|back|butt|glutes?) ~ (?:killing me|kills me)",
            r"(?:cant|cannot|can not) (?:bear|stand|take|handle) (?:(?:the|this|my) )?(?:pain|(?:it )?any ?more)",
            r"(?:<pain>|its|it is|it|hip|hips) (?:\w+ ){0,2}(?:non ?stop|constan\w*)\b(?! (?:hills|intervals|running|training))"
            r"|(?:<pain>|it|hip|hips) (?:\w+ ){0,2}never (?:gives|lets) (?:me )?(?:a )?(?:break|rest|up|let up)"
            r"|(?:morning noon and night|day and night|all day and (?:all )?night|24 ?7)(?! (?:training|running|job|shifts?))",
            r"(?:<pain>|its|it is|level|scale) ~ (?:an? )?(?:8|9|10) (?:out of |of )?10",
            r"(?:8|9|10) (?:out of |of )?10 ~1 <pain>",
            r"<pain> ~ (?:wont|doesnt|does not|will not|never|cant) (?:stop|go away|let up|ease|ease up|quit|settle"
            r"|calm down|subside)",
            r"(?:wont|doesnt|does not|will not|never) stops? (?:hurting|aching|throbbing)",
            r"^(?:so |really |just )?(?:excr\w+|unbearable|agoni[sz]ing|intolerable|unrelenting)$",
            r"<pain> ~ (?:constant|constantly|nonstop|non stop|all the time|24 7|every second|around the clock"
            r"|day and night|unrelenting|relentless|never stops|never goes away)",
            r"(?:interfer\w*|gets in the way|getting in the way|affect\w*|keeps me from|keeping me from"
            r"|stopping me from) ~ (?:daily|everyday|day to day|normal|my) "
            r"(?:life|tasks|activities|routine|things|stuff|chores|work|job|day)",
            r"<cant> ~ (?:get out of (?:bed|the car|a chair)|get up (?:from|off|out)|stand up from"
            r"|climb (?:the )?stairs|go (?:up|down) (?:the )?stairs|take the stairs|do (?:the )?stairs|get dressed"
            r"|put (?:on )?(?:my )?(?:socks|shoes|pants|trousers)|tie (?:my )?shoes"
            r"|do (?:my )?(?:daily|everyday|normal|basic) \w+|go to work|do my job|work(?! out)|drive(?! the)"
            r"|sit (?:down|for|at|through|in)|get in(?:to)? (?:the )?car|function|do anything"
            r"|carry (?:my )?(?:kids?|child|baby|groceries))",
            r"(?:cant|cannot|couldnt|could not|unable to|too sore to|too painful to|hurts too much to|hurt too much to|not able to) (?:even )?(?:cook|clean|vacuum|hoover|do (?:the )?(?:laundry|dishes|shopping|housework)|shop|carry|lift|pick up|tie|sit (?:on|in|through)|stand (?:long|for|at)|drive|concentrate|finish (?:my|the|a) (?:shift|day|workday|meeting)|get in(?:to)? (?:the|my) (?:car|truck)|climb into|take the dog|walk the dog|roll over|get comfortable|face)",
            r"(?:had to|(?<!do i )(?<!do you )(?<!will i )(?<!would i )(?<!should i )have to|needed to)"
            r" (?:leave(?! (?:the |my |your )?(?:home|house|flat|apartment)\b)|go home|walk out|call in|take (?:a |the )?(?:day|days) off|(?:miss|skip|cancel)(?! (?:\w+ ){0,3}(?:runs?|running|sessions?|workouts?|training|races?|parkrun|practice|intervals|tempo|speedwork|miles|km|reps|strength)\b)|ask (?:my|a|someone|somebody)|get (?:my|a|someone|somebody) \w+ to|have (?:my|a|someone|somebody) \w+)",
            r"(?:in|to|into) tears|(?:makes?|made|making) me (?:want to |wanna )?(?:puke|vomit|throw up|be sick|cry|sick|pass out|faint)|vomit\w*|threw up|throwing up|puked|nause\w*|light ?headed|passed out|pass out",
            r"(?:<pain>|hip|hips|it|its|like|level|rate|rated|at|about) (?:\w+ ){0,3}(?:8|9|10) ?(?:/|out of|outta|of|on)? ?10"
            r"(?! ?k\b| (?:miles|mi|km|mins|minutes|weeks|days))|(?:pain|it|hip|its)(?: is| was| at| like| hits)?(?: like)? (?:an? )?(?:8|9|10)(?! (?:miles?|mi|km|k|min|mins|minutes|weeks?|days?|hours?|hrs|am|pm|percent|%|x|times|reps|years?|yrs))\b",
            r"off the charts|(?:thru|through) the roof|(?:screaming|screams|screamed|scream)(?! (?:at (?:the|my) (?:tv|kids?|coach)))|(?:never|doesnt|wont|didnt|does not) let(?:s)? up|all day every day|every (?:single )?(?:second|minute) of the day|nothing (?:touches|helps with) (?:it|the pain)|barely touch(?:es)? it|doesnt touch it",
            r"(?:stuck|bed ?bound|couch ?bound|laid up|lying|lie|only lie) (?:\w+ ){0,2}(?:on|in) (?:the )?(?:sofa|couch|bed) (?:all day|for days|because|cuz|bc|with)|(?:stuck|bedbound) (?:on|in) (?:the )?(?:sofa|couch|bed)",
            r"(?:so|too|that) (?:bad|painful|sore|intense|wrecked|brutal|awful) (?:that )?(?:i|it) (?:cant|couldnt|could not|can not)",
            r"(?:stab\w*|sharp|intense|severe|burning) (?:\w+ ){0,3}(?:that |which )?(?:hasnt|has not|hadnt|wont|doesnt|never) (?:stopped|let up|eased|gone away|gone|quit)",
            r"(?:hip|pain) (?:\w+ ){0,3}(?:has|had) me (?:in tears|crying|screaming|awake|on the floor)",
            r"(?:psych\w* myself up|takes me \d+ (?:mins?|minutes)) to (?:get|stand)",
        ),
    ),
    Rule(
        category="cannot_bear_weight",
        tier="see_doctor",
        reason="Trouble putting weight on your leg, or walking, needs a doctor's check.",
        source="Article, When to See a Doctor: 'You have difficulty putting weight on your leg'.",
        patterns=(
            r"<cant> ~ (?:put|putting|place|placing|bear|bearing|bare|baring|take|taking|carry|carrying|shift|shifting"
            r"|support|supporting|hold|holding|stand|standing) ~ <weight>(?! of (?!(?:my|her|his|their) (?:own |whole )?"
            r"(?:body|leg|legs|hip|hips|foot)|me\b|myself|it\b))",  # not "the weight of marathon training plus a job"
            r"(?:<weight> ?bear\w*|<weight> bare\w*|put\w* ~ <weight>|standing(?! desk)|walking"
            r"|<weight> on (?:it|<my> \w+)) ~ (?:hurts|is painful|painful|impossible|agony|unbearable|excruciating"
            r"|hard|difficult|kills)",
            r"<cant> ~ (?:walk(?:ing)?(?! (?:past|by|away from|into a|through a)\b)|step|stepping"
            r"|stand(?:ing)?(?= up| on| without| for|$)|<weight> ?bear\w*)",  # not "can't walk past a running shop"
            r"(?:hurts?|hurting|painful|sore) (?:too much|so much|so bad|too bad)? ?to (?:stand|walk|step|put weight)",
            r"(?:legs?|hips?|knees?) ~ (?:gives? (?:way|out)|gave (?:way|out)|giving (?:way|out)|buckl\w*(?! (?:at (?!the hip|the knee|times|random)|when (?:i|we) saw"
            r"|laughing|(?:from|with|in) (?:laugh\w*|laughter)))|collaps\w*)",
            r"(?:on|using|need|needed|needing|with) crutches",
            r"hobbl\w*|(?:with|use|using|need|needed|needing) (?:a )?(?:cane|walking stick|walker|crutch)",
            r"(?<!goes )(?<!go )(?<!went )(?<!gone )(?<!pretty )(?<!so )(?<!very )(?<!totally )"  # "goes limp", "pretty limp"
            r"limp(?:s|ed|ing|in|y)?(?! (?:handshake|noodle|lettuce|wrist|hair|excuses?|effort|pasta|along|home to the finish"
            r"))",
            r"(?:hold\w*|held|grab\w*|grip\w*|lean\w*|clinging|cling) (?:\w+ ){0,2}(?:onto |on to |to )?(?:the |a |my )?(?:walls?|furniture|counters?|tables?|chairs?|stuff|things|rails?|railing|banister|door ?frames?|shopping (?:cart|trolley)) (?:\w+ ){0,3}(?:get|walk|move|stand|make it|around)",
            r"(?:furniture|walls?|counters?|railing|banister|shopping (?:cart|trolley)) (?:\w+ ){0,2}(?:to get (?:around|about|to)|to walk|to move)",
            r"(?:to|cant|can barely|hard to|struggle to|struggling to) get (?:around|about)(?! (?:town|the city|the course))",
            r"hop(?:ping|ped|s)? (?:to|round|around|about|everywhere|on one (?:leg|foot))|(?:everything|around|about) on one (?:leg|foot)",
            r"(?<!is my )(?<!was my )(?<!as a )(?<!is a )crutch(?:es)?(?! (?:for (?:my|me|the) (?:anxiety|mental|stress)))",
            r"(?:borrowed|using|use|need|needed|needing|with|on|got|get) (?:a |my |the |\w+s |\w+s old )?(?:walker|zimmer|wheelchair|walking frame)",
            r"(?:wont|wouldnt|doesnt|didnt|cant|couldnt|will not|would not) (?:take|hold|support|bear) (?:my |any |the )?(?:weight|wieght|weigth)|(?:wont|wouldnt|cant|couldnt|doesnt) hold me(?: up)?",
            r"(?:leg|legs|hip|knee|mine) (?:just |kept |keeps )?(?:folds?|folded|folding|went out from under|goes out from under|gave out|gives out|giving out|collapsed|crumpled)|(?:went|goes) out from under me",
            r"(?:lean|leaning|hold|holding) (?:\w+ ){0,2}(?:on|onto) the (?:sink|counter|wall|table|rail) (?:to|when|while|just)",
            r"(?:cant|cannot|couldnt|can not|wont let me) (?:even |really |properly )?(?:put|place|set) (?:my |the |that )?(?:left |right |bad |sore )?(?:foot|leg|heel) (?:down|on the (?:ground|floor))",
            r"(?:cant|cannot|couldnt|wont let me) (?:even )?(?:step|stand|walk) (?:on|onto) (?:it|that|my \w+|the \w+ leg)",
            r"(?<!tend to )(?<!tends to )(?:hobbl|shuffl|drag)\w*(?! (?:my playlist|songs?|music|cards?|feet in the morning))",
            r"walk(?:ing)? like (?:a|an) (?:penguin|pirate|zombie|crab|duck|old (?:man|woman|lady)|90 year old|cowboy)",
            r"(?:standing|walking|weight bearing|stepping) (?:on (?:it|my \w+(?: \w+)?|that \w+) )?(?:is|was) (?:basically |almost |just |literally )?impossible",
            r"(?:wont|wouldnt|doesnt) let me (?:walk|step|stand)|walk (?:normal|normally) (?:is )?impossible|cant walk (?:normal|normally|properly|right|straight)",
        ),
    ),
    Rule(
        category="not_improving",
        paired=(
            r"<not_prevented>(?:(?:getting|gets|got|gotten|gone|is getting|its getting|keeps getting|only gotten"
            r"|been getting) (?:\w+ )?"
            r"(?:worse|worrse|wose|stiffer|harder|more painful|weaker)|worse (?:than (?:when|before|in week)|not better"
            r"|week by week|every week|each week)|(?:zero|no|not much|little|any) (?:improvement|improvment|change|progress)"
            r"|(?:not|no|isnt) (?:any |much )?better|going backwards|just as bad|same or worse|(?<!better )or worse|worse if anything|if anything (?:its |it is |it s )?worse"
            r"|if not worse|(?:exactly |just |still )?(?:the )?same as (?:on )?(?:day (?:one|1)|the (?:start|first day|beginning)"
            r"|when (?:i|it) (?:started|began))"
            r"|(?:it|that|this|pain|hip|ache|which|and) (?:really |still |just )?(?:hasnt|has not|havent|have not|didnt|did not)"
            r" (?:really )?(?:changed|shifted|fixed|improved|done) (?:anything|a thing|much|a lot|it)"
            r"|nothing(?:s| has| have)? (?:really )?(?:shifted|changed|budged|improved|moved)"
            r"(?! (?:in|about|with|for) (?:my |the )?(?:training|plan|routine|schedule|shoes|diet|job|work))"
            r"|(?:it|its|it has|that|this) (?:still |just )?(?:hasnt|has not|didnt|did not)(?: yet)?(?= and |$)"
            r"|(?:comes?|came|coming) back (?:\w+ )?worse|back to (?:how it was|square one|where (?:it|i) (?:was|started))"
            r"|(?:it|pain|ache|its|and) (?:just )?came (?:straight |right )?back(?! (?:from|after (?:my|a|the) (?:holiday|trip|break)))"
            r"|same as before|(?:keeps?|kept) (?:creeping|ramping) up|creeping up|(?:nothing (?:\\w+ )?)?(?:makes?|made|making)"
            r" (?:a |any )?dent|(?:its|it|pain|ache|it has|its been) (?:\w+ )?(?:gone|went|jumped|gone up|crept up) from (?:a |like )?"
            r"\d+ to (?:like |about |a |maybe )*\d+|worse (?:now )?than (?:when|before|it was)"
            r"|<not_a_worry>(?:hip|pain|it|its) <not_ahead>(?:is |feels )?(?:\w+ ){0,2}(?<!make )(?<!makes )worse"
            r"(?! (?:\w+ )?(?:after|when|during|on|in|at the end|with|if))"
            r"|<not_a_worry>(?:hip|pain|it|its) <not_ahead>(?:is |feels |got |has got |has gotten |getting )?"
            r"(?:even |much |way )?worse"
            r"(?! (?:after|when|during|on|in|at the end|with|if|than it was at the start))"
            r"|(?:didnt|did not|hasnt|has not|havent|have not|wont|not) (?:\w+ )?(?:get|gotten|got|getting) (?:any )?better"
            r"|nothing (?:changes|changed|helps|helped|works|worked|is working|has worked|has helped|makes (?:a|any) difference"
            r"|made (?:a|any) difference)"
            r"|(?:hurts?|hurting|sore) "
            r"(?:a lot |much |even )?more (?:now )?than|(?:barely|didnt|doesnt|hasnt|isnt|not) (?:\w+ )?(?:help\w*"
            r"|work\w*|touch\w*))",
        ),
        together=(
            r"(?:weeks?|wks?|months?|\d+ days|since (?:christmas|new year|january|february|march|april|may|june|july"
            r"|august|september|october|november|december|the (?:marathon|race|injury)|(?:the |last )?(?:spring|summer"
            r"|autumn|fall|winter))|a month|fortnight)",
            r"(?:rest|rested|resting|stopped running|stop running|off running|time off|no running|not running|cut (?:out |back )?"
            r"(?:running|my runs|my mileage|my walks)|haven.?t run|didnt run|pt|physio\w*|rehab|exercises|excercises|stretch\w*"
            r"|ice|iced|icing|naproxen|ibuprofen|advil|tylenol|aleve|meds|medication|cortisone|cortizone|shot|injection"
            r"|treatment|babying|clamshells|bridges|figure four)",
        ),
        tier="see_doctor",
        reason="Pain that isn't getting better with home treatment, or that makes your hip or leg hard to move, "
        "needs a doctor's check.",
        source="Article, When to See a Doctor: 'Pain that does not improve with the treatments mentioned above and "
        "makes it difficult to move your hip or leg' (either part alone fires, to err on the safe side).",
        patterns=(
            r"(?:pain|hurting|ache|aching|soreness|hip|symptoms) ~ (?:not|isnt|hasnt|havent|doesnt|didnt|wont|never|no"
            r"|arent|werent|aint) ~ (?:improv\w*|(?:getting|got|gotten|get|any|much) better|better|eas(?:ing|ed|e)"
            r"|going away|gone away|go away|settl(?:ing|ed|e)|resolv\w*|heal\w*|budg\w*)",
            r"(?:it|its|it is|it has|this|that) ~1 (?:not|isnt|hasnt|doesnt|wont|never|no) ~1 "
            r"(?:improv\w*|(?:getting|got|gotten|get|any) better|better|going away|gone away|go away|healing|healed)",
            r"(?:treatments?|ice|icing|(?<!the )rest(?! of)|resting|stretch\w*|exercis\w*|pt|physio\w*|physical therapy"
            r"|therapy|ibuprofen|advil|motrin|aleve|naproxen|tylenol|paracetamol|acetaminophen|meds|medication|medicine"
            r"|pills|painkillers|pain killers|pain relievers|injections?|shots?|cortisone|steroids?|massage"
            r"|foam rolling"
            r"|time off) ~ (?:not|isnt|hasnt|havent|doesnt|didnt|wont|arent|werent) ~ (?:help\w*|work\w*"
            r"|do(?:ing|ne)? (?:anything|much)|mak\w* (?:a|any) difference|improv\w*|fix\w*)",
            r"(?:nothing|none of (?:it|this|that|them)) ~ (?:helps|helped|helping|works|worked|working|fixes"
            r"|makes (?:a|any) difference)(?! better| as well)",
            r"still (?:hurts?|hurting|painful|sore|aching|bad|the same|there|bothering me|killing me) ~ "
            r"(?:after|despite|even with|even after|for) ~ (?:weeks?|months?|a month|\d+ days|treatment|rest|resting"
            r"|ice|icing|stretch\w*|pt|physio\w*|ibuprofen|exercises?|time off)",
            r"(?:despite|even with|even after) ~ (?:treatment|ice|icing|rest|resting|stretch\w*|pt|physio\w*"
            r"|physical therapy|ibuprofen|advil|meds|medication|exercises?|time off) ~ (?:still|it|its|pain|hurts)",
            r"(?:worse|not better|no better|the same|still \w+) ~ (?:despite|even with|even after) ~ (?:treatment|ice"
            r"|icing|rest|resting|stretch\w*|pt|physio\w*|physical therapy|ibuprofen|advil|meds|medication|exercises?"
            r"|time off)",
            r"(?:weeks?|months?|a month|\d+ days) (?:and|later|now|of|on) ~ (?:still (?:hurts?|hurting|sore|painful|aching"
            r"|there|bad|the same|no better)|no better|no change|no improvement"
            r"|not better|not improving|not getting better)",
            r"no (?:relief|improvement(?! (?:in|on|with) (?:my )?(?:pace|times?|speed|fitness|splits|endurance)))",
            r"(?:<cant>|stiff) ~ (?:move|moving|lift|lifting|bend|bending|rotate|rotating|raise|raising|turn|turning"
            r"|swing|swinging) ~ (?:hip|hips|leg|legs|thigh|knee)",
            r"(?:hip|hips|leg|legs) ~ (?:wont|doesnt|will not|does not|cant|can not|cannot) (?:move|bend|lift|rotate)",
            r"(?:hip|hips|leg|legs) (?:is |feels |are |gets |got )?(?:locked|frozen|seized up|stuck)",
            r"(?:range of motion|rom|movement|motion) (?:\w+ ){0,2}(?:shrinking|getting smaller|smaller|worse|less)|stiff(?:er)? (?:than ever|and stiffer|as a board)|harder and harder",
            r"(?:cant|cannot|couldnt|harder to|hard to|struggle to|struggling to|unable to) (?:even )?(?:cross my legs|bring my (?:knee|leg)|lift (?:my )?(?:leg|knee|foot) (?:up|into|onto)|turn (?:it|my (?:leg|hip|foot)) out|get my (?:knee|leg) up|squat|get (?:my leg )?into (?:that|the) position|do (?:a single|one) bridge|get out of (?:my |the |a )?(?:chair|car))",
        ),
    ),
    Rule(
        category="radiating_pain",
        tier="see_doctor",
        reason="Pain that travels from your hip to other areas, or numbness or tingling in your leg, "
        "needs a doctor's check.",
        source="Article, When to See a Doctor: 'Pain that travels from the hip to other areas' "
        "(numbness/tingling added as signs of nerve involvement).",
        patterns=(
            r"(?:<pain>|it|its|sensation|feeling|burning|tightness) ~ (?:shoot\w*|radiat\w*|travel\w*|spread\w*|runs?"
            r"|running|goes|going|go|went|moves?|moving|extend\w*|zing\w*|zap\w*|shock\w*|burn\w*|sends?|sent|refer\w*)"
            r" (?:from <my> (?:hip|hips|groin|butt|buttock|glute|back) )?(?:all the way |right )?"
            r"(?:down|into|to|through|along|toward|towards|up|out to)(?: to| into| through)? ~ <leg>",
            r"(?:shooting|radiating|travell?ing|spreading|electric|electrical|nerve|zinging|zapping|searing) ~ "
            r"(?:pain|pains|ache|sensation|feeling|shocks?|jolts?)",
            r"(?:pain|pains|ache|aching|hurts|hurting|numbness|tingling) ~1 (?:down|into) <my> "
            r"(?:(?:back|outside|front|side) of (?:my |the )?)?<leg>",
            r"(?<!tight )(?<!band )(?<!itb )(?<!everything )(?<!anything )(?<!all )from <my> (?:hip|hips|groin|butt|buttock|glute) (?:all the way )?(?:down )?"
            r"(?:to|into) <my> <leg>",  # not the IT band, "tight from hip to knee"
            r"down (?:the (?:back|side|front|outside) of )?(?:my|his|her) (?:legs?|thighs?|calf|calves|shins?|foot)",
            r"sciatic\w*",
            r"<not_upper_body>(?:numb(?:ness|nes|ed|ing|s)?(?! (?:about|to|inside|with|it|the pain|pain|cream|spray|gel|agent)\b)|tingl\w*(?! with (?:excitement|nerves))"
            r"|pins and needles(?! (?:waiting|about|over|for|all week)))"
            r"(?! (?:in|on) (?:my |both )?(?:hands?|fingers?|arms?|face|lips?))",
            r"dead leg|leg (?:feels |is |goes |went |going )dead|(?:leg|foot|feet|thigh) (?:keeps )?"
            r"(?:falls?|falling|fell|goes|going|went) asleep",
            r"(?:mine|pain|it|that|this) (?:\w+ ){0,5}(?:shoots?|shooting|travels?|travles|travells|moves?|goes|radiates?|spreads?|ends up|wraps?) (?:\w+ ){0,3}(?:down|into|to|up|around)(?: \w+){0,4} (?:my |the )?(?:lower )?(?:back|butt|foot|feet|knee|calf|hamstring|shin|ankle|toes|leg|lge|thigh|groin)",
            r"(?:hip|butt|glute)s? (?:\w+ ){0,2}(?:to|into|and) (?:my )?lower back (?:pain|ache)|hip to (?:my )?(?:lower )?back",
            r"(?:starts?|starting|begins?) (?:in|at) (?:my )?(?:hip|butt|glute|back)",
            r"(?:burning|hot|shooting) (?:\w+ ){0,2}line|in a line",
            r"foot (?:\w+ ){0,3}(?:slaps|slapping|drags|dragging|catches the ground|flops)|(?:cant|couldnt|hard to) lift (?:my |the )?(?:toes|foot|front of (?:my|the) foot|front of it)|toes? drag|foot drop|drop foot",
            r"(?:leg|foot|feet|thigh)s? (?:\w+ ){0,2}(?:fuzzy|buzzing|buzzy|fizzy|fizzing|prickly)",  # pins and needles
            r"(?:leg|foot|feet|thigh) (?:\w+ ){0,4}(?:like (?:its|it is|its gone|its fallen) asleep|asleep)|(?:cant|couldnt) (?:really )?feel (?:the (?:top|bottom|side|outside) of )?my (?:foot|leg|toes|thigh|shin)",
        ),
    ),
    Rule(
        category="clicking_catching",
        tier="see_doctor",
        reason="A clicking, popping or catching feeling in your hip needs a doctor's check.",
        source="Article, When to See a Doctor: 'A clicking, popping or catching sensation in the hip'.",
        patterns=(
            r"(?:hip|hips|joint|joints|groin|pelvis|socket|leg|thigh|something) ~ <click>(?! (?:about|for me|into place|with me))",
            r"(?:hip|hips|joint|leg|it) (?:\w+ ){0,3}(?:sticks|stuck|jams|jammed|locks|locked|catches) (?:\w+ ){0,3}(?:then|and|till|until)"
            r" (?:\w+ )?(?:releases|lets go|unsticks|pops|clunks|gives|unlocks|frees)",  # "sticks, then releases"
            r"(?<!then )(?<!finally )(?:it|its|that|this) ~1 <click>(?<!it finally clicked)(?<!it just clicked)",
            r"(?:feel|feels|felt|feeling|hear|hears|heard|hearing|get|gets|getting|got|notice|notices|noticed|noticing"
            r"|have|has|had|having|there is|theres|experienc\w*) "
            r"(?:a |an |some |this |that |these |the |lots of |a lot of )?"
            r"(?:weird |strange |odd |loud |little |small |slight |painful |audible |sharp |constant |occasional )?"
            r"(?:click|clicks|clicking|clicky|pop|pops|popping|snap|snaps|snapping|catch|catching|clunk|clunks|clunking"
            r"|locking|crack|cracks|cracking)(?! (?:tarts?|songs?|music|stars?|culture|up|quiz))",
            r"(?:click\w*|popp?\w*|snap\w*|catch\w*|clunk\w*|lock\w*|crack\w*) (?:sensation|feeling)s?",
            r"(?:clicking|clickin|popping|poppin|catching|snapping|clunking)(?! (?:the|a|an|on|up|my|your|his|her"
            r"|photos?|pics?|pictures?|pills?|tablets?|advil|ibuprofen|painkillers?|meds|links?|buttons?|through"
            r"|jokes?|fingers?|knuckles?|gum|bubbles?|balloons?|corn|champagne|bottles?|gels?|gu|chews|candy"
            r"|vitamins?|supplements?))",
            r"^(?:clicks|clicked|pops|popped|catches|caught|snaps|snapped|clunks|clunked)"
            r"(?! (?:into|in to|by|round|with|over to|on|through|play|like|subscribe) "
            r"| (?:the|a|that|this|your) (?:link|button|video|ad|page|app|thumbnail|play|photo|pic|bus|train)s?\b"
            r"|(?<=caught) (?:it|them|half|some|most|all|covid|flu|the flu|a cold|a virus|a bug|something|up|(?:the|a) \w+ bug)\b)",
            # "caught it from the kids", "caught the racing bug": an illness or an enthusiasm, not a joint
            # "popped into the shop", "clicked with a club", "clicked the link"
            r"(?:cli(?:ck|k|c)\w*|pop(?:s|ping|ped)?|snap\w*|catch\w*|clunk\w*|lock\w*|crack\w*) ~ "
            r"(?:in|from|inside|at|of|within|around|on) <my> (?:right |left |front of (?:my |the )?)?"
            r"(?:hip|hips|joint|groin|pelvis|socket)",
            r"(?:snap snap|click click|pop pop|clunk clunk|crack crack|clicky clicky)",  # "snap snap snap. thats my hip"
            r"(?:mine|both|both of them|they both|the (?:right|left) one) (?:(?!doesnt|dont|didnt|never|not|wont|cant|isnt|arent"
            r"|hasnt|havent)\w+ )?(?:click|clicks|pop|pops|snap|snaps|clunk|clunks"
            r"|catch|catches|lock|locks)(?! (?:into|in to|with|together|through|on the (?:link|button)))",
            r"(?:clicky|clicking|popping|snapping|catching|locking|cracking|clunky|clunking) (?:right |left )?"
            r"(?:hip|hips|joint)",
            r"(?:something|it|hip|joint) (?:\w+ )?(?:gets|get|got|feels|getting) stuck|(?:hip|joint) (?:\w+ )?jams",
            r"(?:left|right|other|bad) one ~1 <click>"
        ),
    ),
    Rule(
        category="stress_fracture_history",
        tier="see_doctor",
        history_counts=True,
        reason="With a history of stress fractures, hip pain should be checked by a doctor.",
        source="Article, When to See a Doctor: 'See a doctor if you have a history of stress fracture injuries'.",
        patterns=(
            r"<not_someone_else>(?:had|have|has|having|got|gotten|history of|hx of|previous|prior|past|old|earlier"
            r"|former|diagnosed|diagnosis of|suffered|recovering from|recovered from|healing|healed|another|last"
            r"|broke|several|multiple|two|three|2|3|a few|couple of|recurring|recurrent|repeated|dx|was|were)"
            r" ~ <stress_fracture>",
            r"<not_someone_else>my (?:old |previous |last |recent |first |second )?(?:(?:heel|foot|shin|tibia|tibial"
            r"|femur|femoral|metatarsal|pelvic|pelvis|hip|leg|ankle|fibula|sacral|sacrum|navicular|toe|back|spine"
            r"|rib|calcaneus|calcaneal|lumbar|knee) )?<stress_fracture>",
            r"<stress_fracture> ~ (?:last|before|ago|in (?:19|20)\d\d|in the past|previously|history|healed|back in"
            r"|when i was|in high school|in college|in my (?:shin|foot|femur|hip|tibia|leg|pelvis|metatarsal))",
            r"(?:crack\w*|broke|broken|fractured) (?:\w+ ){0,6}(?:from (?:running|overuse|overtraining|overtraning|over training)|stress (?:fracture|fx|reaction|facture))",
            r"(?:prone to|ex|post|previous|prior|history of|hx|several|multiple|had|have had|got) (?:\w+ ){0,3}(?:stress (?:fractures?|fx|factures?|reactions?)|strees fractures?|stres fractures?)",
            r"(?:stress|strees|stres) (?:fracture|fx|facture|reaction) (?:\w+ ){0,4}(?:ago|in (?:19|20)\d\d|last|back in|before|in college|in high school|\d+ (?:months|years|yrs))",
            r"<not_someone_else>(?:out|off|sidelined|laid up|benched|in a boot|on crutches) (?:\w+ ){0,3}with (?:a |an |my )?"
            r"(?:\w+ ){0,2}<stress_fracture>",  # "I was out for months with a shin stress fracture"
            r"<not_someone_else>(?:coming back|recovering|returning|back) from (?:a |an |my )?(?:\w+ ){0,2}<stress_fracture>",
        ),
    ),
    # ---- Conservative additions (clinical red flags beyond the article) ----
    Rule(
        category="infection",
        paired=(
            r"(?:hot (?:and|then|&) cold|cold (?:and|then) hot)(?! (?:weather|showers?|water))"
            r"|shiver\w*(?! (?:at|on|before|in|from|waiting|during) (?:the )?(?:start|line|race|cold|rain|wind|nerves|corral))"
            r"|sweaty and shivery|flu ?like|flu ?ish|fluey|flu thing|the flu(?! (?:jab|shot|vaccine|vaccination|injection|booster))|coming down with (?:something|a bug|the flu)"
            r"|getting over (?:a|some|the) (?:flu|bug|virus)"
            r"|(?:feel|feels|feeling|felt) (?:really |so |very |quite |pretty |generally |just |a bit |kinda )?"
            r"(?:unwell|ill|poorly|sick(?! (?:of|and tired|about|to death|with worry)))"
            r"|(?:not|dont|havent been) feel(?:ing)? (?:very |too |that |at all )?well",  # "I just feel really unwell with this hip pain"
        ),
        together=(r"<pain>|hip|hips|groin|joint",),
        tier="emergency",
        reason="A fever or chills, or a hot, red, swollen joint, can mean an infection that needs urgent care.",
        source="Clinical addition: septic arthritis (fever with a hot, red, swollen, painful joint) is an emergency.",
        patterns=(
            r"<not_fever_idiom>fe?ve?r(?:ish|y|s|ed)?(?! pitch| dream)",
            r"(?:have|had|has|having|got|running|spiked|spiking|with) (?:a )?(?:high |bit of a |slight |little )?"
            r"(?:temperature|temp)\b(?! (?:outside|of the|is|was))",
            r"temp(?:erature)? (?:of )?(?:3[89]|4[01]|99|10[0-4])",
            r"(?<!gave me )(?<!gives me )(?<!give me )(?<!got the )chills(?! (?:from|after|crossing|watching|down|when|during"
            r"|because|were from|thinking))|febrile|rigou?rs|feel(?:ing)? shivery|hot and cold (?:flushes|sweats|spells)"
            r"|feel(?:ing)? hot and cold",
            r"<joint> ~ (?:hot|warm|red)(?! up)",
            r"(?:hot|warm(?! up)|red(?! flags?)) (?:\w+ ){0,2}<joint>",
            r"(?:hot|warm) to (?:the )?touch",
            r"(?:swollen|swelling|puffy) (?:and )?(?:hot|warm|red)|(?:hot|warm|red) (?:and )?(?:swollen|puffy)",
            r"temp(?:erature)? (?:is |was |of |at |hit |reads )?(?:3[89]|4[01]|99|10[0-4])(?:[ .]\d)?\b",
            r"(?:spot|area|site|it|hip|joint|side) (?:\w+ ){0,3}(?:red|hot|warm) and (?:hot|red|warm|swollen|puffy)",
            r"swell\w* (?:up )?(?:\w+ )?(?:red|hot|warm)|(?:puffy|swollen) and (?:burning )?hot|burning hot",
        ),
    ),
    Rule(
        category="cauda_equina",
        tier="emergency",
        reason="Numbness around your groin or bottom, new trouble with your bladder or bowels, or weakness in "
        "both legs can mean nerve compression that needs urgent care.",
        source="Clinical addition: cauda equina syndrome red flags (saddle numbness, bladder/bowel change, "
        "weakness in both legs).",
        patterns=(
            r"(?:numb(?:ness|nes|ed|ing|s)?|tingl\w*|no feeling|cant feel|lost feeling|loss of (?:feeling|sensation)"
            r"|pins and needles) ~ <saddle>",
            r"<saddle> ~ (?:numb(?:ness|nes|ed|ing|s)?|tingl\w*|dead)",
            r"saddle (?:an(?:a)?esthesia|numbness|area)",
            r"(?:bladder|bowels?|pee|peeing|wee|weeing|urine|urinat\w*|piss|pissing|poo|poop|pooping|stools?)"
            r" ~ (?:problems?|issues?|trouble|control|accidents?|leak\w*|incontinen\w*|retention|changes?|weird"
            r"|different|stopped|dysfunction|difficult\w*|hesitan\w*)",
            r"(?:<cant>|problems?|issues?|lost control of|loss of control of|losing control of|no control over"
            r"|cant control|cant hold|leaking) ~ (?:pee|peeing|wee|weeing|urine|urinat\w*|bladder|bowels?|poo"
            r"|poop|pooping|stool|empty my bladder|go to the (?:toilet|bathroom|loo))",
            r"(?:cant|cannot|couldnt|dont|do not) (?:feel|tell) (?:when |if )?i (?:need|have) to "
            r"(?:pee|wee|go|poo|poop)",
            r"(?:having|had|have|been having|keep having) (?:bladder |bowel |toilet )?accidents",
            r"incontinen\w*|wet (?:myself|my pants|the bed)|(?:peed|pooped|soiled) (?:myself|my pants)",
            r"(?:i|ive|i have|i keep|just) (?:\w+ )?(?:leaked|leak|leaking)(?! (?:the|my|some|it|info|news|sweat|water|air|oil"
            r"|through|from|out of|into))",
            r"(?:weak\w*|numb(?:ness|nes|ed|ing|s)?|giving (?:way|out)|tingl\w*|paraly\w*) ~ (?:in |of )?both "
            r"(?:of <my> )?legs",
            r"(?:legs both|legs are both|legs on both sides) ~ "
            r"(?:weak\w*|numb\w*|dead|giving (?:way|out)|gave (?:way|out))",
            r"(?:weak\w*|numb(?:ness|nes|ed|ing|s)?) ~ (?:on )?both sides",
            r"both (?:of <my> )?legs ~ (?:weak\w*|numb\w*|dead|giving (?:way|out)|gave (?:way|out)|buckl\w*"
            r"|wont work|not working|tingl\w*)",
            r"(?:cant|couldnt|cannot|can not|barely) (?:really |properly )?feel (?:\w+ ){0,3}(?:when i (?:pee|wee|wipe|go|poo)|(?:the )?toilet paper|myself (?:going|pee)|down there|my (?:bum|bottom|backside|butt|privates|groin))",
            r"(?:havent|hasnt|cant|couldnt|unable to|not able to) (?:been able to )?(?:pee|wee|urinate|poop|poo|empty my bladder)",
            r"(?:cant|couldnt|cannot|can not|could not) (?:really |properly )?(?:tell|feel|sense|notice) (?:\w+ ){0,3}"
            r"(?:(?:when|whether|if) (?:i )?(?:was |am |m |im )?(?:peeing|weeing|pooing|pooping|urinating|going)"
            r"|(?:i|im|i was) (?:peeing|weeing|pooing|urinating))",  # "couldn't tell whether I was peeing"
            r"(?:peeing|weeing|urinating|pooing|pooping) (?:\w+ ){0,4}(?:cant|couldnt|cannot|could not) (?:really |properly )?feel",
            r"(?:peeing|pooping|poo|poop|pee|wee|leaking|going) (?:\w+ ){0,2}without (?:control|meaning to|noticing|feeling|knowing)|cant control (?:when|my) (?:\w+ ){0,4}(?:go|pee|poo|bladder|bowels)",
            r"(?:lost|lose|losing|no) (?:the )?feeling (?:in|around|down) (?:my )?(?:bum|bottom|backside|butt|groin|privates|saddle|crotch)",
            r"both (?:my |of my )?legs (?:\w+ ){0,3}(?:weak|week|numb|wobbly|jelly|giving|tingl\w*|heavy|dead)",
            r"(?:numbess|numbness|numb|tingl\w*) (?:\w+ ){0,4}(?:both sides|inner thighs|groin)",
            r"saddle (?:area|region) (?:\w+ ){0,2}(?:numb|dead|tingl\w*)|toilet paper (?:feels|felt) (?:weird|strange|different"
            r"|like its not there|numb)|(?:peeing|pee|weeing|wee|urine|stream) (?:is |feels |has been )?(?:strange|weird|slow"
            r"|different|hard to start)|(?:have|had|having) to strain to (?:pee|wee|go)|both (?:my )?feet (?:\w+ ){0,2}(?:slap\w*"
            r"|drag\w*|numb|weak)",
        ),
    ),
    Rule(
        category="blood_clot",
        tier="emergency",
        reason="A swollen, warm or red calf or thigh, sudden breathlessness, or chest pain can mean a blood "
        "clot that needs urgent care.",
        source="Clinical addition: deep vein thrombosis / pulmonary embolism warning signs.",
        patterns=(
            r"(?:calf|calves|thighs?|lower leg|shins?) ~ (?:hot|warm|red|swollen|swelling|puffy|swelled)(?! up)",
            r"legs? ~ (?:swollen|swelling|puffy|swelled|bigger than the other)",
            r"(?:swollen|swelling|puffy) ~ (?:calf|calves|thighs?|lower leg|legs?)",
            r"(?:hot|warm(?! up)|red) (?:and (?:swollen|puffy|tender) )?(?:calf|calves|thighs?)"
            r"(?! (?:sleeves?|socks?|guards?|compression|tights|warmers?|tattoo))",
            r"(?:sudden\w*|out of nowhere|at rest|resting|while sitting|sitting down|lying down) ~ "
            r"(?:breathless\w*|short of breath|shortness of breath|out of breath|cant breathe|cant catch my breath"
            r"|struggling to breathe|trouble breathing|difficulty breathing|hard to breathe)",
            r"(?:breathless\w*|short of breath|out of breath|hard to breathe|cant catch my breath) ~ (?:suddenly"
            r"|out of nowhere|at rest|while resting|when resting|sitting|lying down|for no reason|doing nothing"
            r"|without (?:running|exercising|exertion))",
            r"shortness of breath|short of breath(?! (?:on|when|during|while|after) (?:the |a )?"
            r"(?:hills?|running|sprints?|runs?|climbing|stairs|intervals|speed))"
            r"|(?:cant|can not|cannot) breathe(?! through| in| out)|trouble breathing|difficulty breathing"
            r"|struggling to breathe",
            r"chest (?:pain|pains|tightness|pressure|hurts|hurting|aches?|aching)|(?:pain|tightness|pressure|ache)"
            r" (?:in|on|across) <my> chest|chest (?:is |feels |felt )(?:tight|heavy|painful)|(?:tight|painful) chest",
            r"cough\w* (?:up )?blood",
            r"(?:calf|calves|shin|ankle|lower leg|leg|thigh|knee) (?:\w+ ){0,4}(?:bigger|fatter|larger|thicker|twice the size|puffed up|puffy|swolen|swelled|shiny|fat|big and (?:hot|red|warm))",
            r"(?:calf|calves|lower leg) (?:\w+ ){0,5}(?:swollen|swelling|swelled|hot,? (?:and |or )?(?:swollen|red|puffy))",
            r"(?:bigger|fatter|larger|thicker|puffier) than (?:the other|my other|the left|the right)",
            r"(?:back of my (?:knee|lower leg|calf)|under the knee|below the knee|lower leg) (?:\w+ ){0,4}(?:swollen|swolen|puffy|puffed|big|hot|warm|red|tender)",
            r"(?:winded|out of breath|breathless\w*|breathles|cant catch my breath|gasping|couldnt (?:get any|catch my) (?:air|breath)) (?:\w+ ){0,4}(?:walking|climbing|stairs|upstairs|kitchen|doing nothing|at rest|all of a sudden|out of nowhere|suddenly|tonight|on an easy|for no reason)",
            r"(?:all of a sudden|suddenly|out of nowhere|sudden) (?:\w+ ){0,3}(?:out of breath|winded|breathless|breathles|short of breath|cant breathe)",
            r"(?:cant|couldnt) get my breath|(?:calf|leg) (?:\w+ ){0,3}(?:huge|purpl\w*|gone red|blue)",
            r"chest (?:\w+ ){0,2}(?:sore|tight|pain|pressure|hurts|heavy|aches?)|(?:sitting|weight|pressure|elephant \w+) on my chest|heart (?:is |was )?(?:pounding|racing) (?:\w+ )?(?:for no reason|at rest|out of nowhere)",
        ),
    ),
    Rule(
        category="serious_disease",
        tier="see_doctor",
        reason="Pain at night or at rest, unexplained weight loss or night sweats need a doctor's check.",
        source="Clinical addition: red flags for tumour or systemic disease (night/rest pain, unexplained "
        "weight loss, night sweats).",
        patterns=(
            # Not "lying on the sore side at night": the article's bursitis sign again
            r"(?!(?:sore|painful|bad|injured|hurting|achy) side )<pain> ~1 (?:at night|in the night|during the night"
            r"|overnight|all night|at nighttime|at night time"
            r"|in bed|middle of the night|when i sleep|while i sleep|while sleeping|when sleeping)"
            r"(?! on (?:it|that side|this side|that hip|this hip|my (?:\w+ )?(?:side|hip)|the (?:\w+ )?(?:side|hip)))"
            # Not pain from lying on the sore hip: the article's bursitis sign ("worse when lying on your injured hip")
            r"(?! (?:only )?(?:when|if|while|whenever) (?:i )?(?:lie|lying|laying|lay|sleep|sleeping) on (?:it|that side"
            r"|this side|that hip|this hip|my (?:left |right |sore |bad )?(?:side|hip)|the (?:sore|bad|painful|injured"
            r"|same) (?:side|hip)))",
            r"(?:night|nighttime|night time|nocturnal|resting|rest) pain",
            r"(?:wakes?|woke|waking) me (?:up )?(?:at night|in the night|during the night)",
            r"<pain> ~1 (?:at rest|when resting|while resting|when im resting|even resting|even at rest"
            r"|when sitting still|doing nothing|when not running|even when i rest|even when resting|when i rest)",
            r"(?:<pain>|it|hip|throb\w*) ~ (?:(?:wakes?|woke|waking) me|(?:keeps|kept|keeping) me (?:up|awake))",
            r"(?:wak\w*|woke) up (?:from|because of|with|due to) ~ (?:pain|hip|ache|aching|it|throb\w*)",
            r"<cant> sleep (?:because of|due to|from|with|for) ~ (?:pain|hip|it|ache|aching)",
            r"(?:unexplained|unintentional|unintended|unexpected|sudden|rapid|mysterious) "
            r"(?:weight loss|loss of weight)",
            r"(?:losing|lost|dropping|dropped|shed|shedding) ~ (?:weight|pounds|lbs|kgs?|kilos|stone) ~ "
            r"(?:without (?:trying|dieting|meaning to|changing)|for no (?:apparent )?reason|and i dont know why"
            r"|not trying|unexplained|unintentionally|without explanation)",
            r"weight loss ~ (?:without trying|for no reason|i cant explain)",
            r"(?:night|nite|nighttime|nightime) ?sweats|drenching sweats|soaking (?:the )?(?:sheets|bed)",
            r"(?:<pain>|hip|it) (?:\w+ ){0,5}(?:even )?(?:when|while|<not_an_alternative>just|whilst) (?:im |i am )?(?:just )?(?:sitting|lying down|lying in bed|in bed|resting|doing nothing|watching tv|on the couch|at my desk|still(?! \w+ing\b))(?! on (?:it|that side|my (?:sore |bad )?side))",
            r"(?:<pain>|hip|it) (?:\w+ ){0,4}even (?:sitting|lying|on days i dont run|when i dont run|at rest|resting)",
            r"worse (?:at rest|when (?:im )?resting|resting|when (?:im )?sitting|in bed|at night)"
            r"(?! (?:\w+ ){0,3}(?:lie|lies|lying|laying|lay|sleep|sleeping) on (?:it|that side|this side|that hip|my (?:\w+ )?(?:side|hip)|the (?:\w+ )?(?:side|hip)))|throbs? in bed|(?:in|at) bed (?:at night )?(?:\w+ )?(?:throb|ache|hurt)",
            r"(?:wakes|woke|waking) me (?:up )?(?:\w+ )?(?:every|each|most|some) night",
            r"<pain> ~1 (?:every night|each night|most nights|nightly|all night long)",
            r"<pain> (?:thats|that is|which is|is) (?:there|on|going|constant) (?:all night|every night)",  # "pain that's there all night"
            r"(?:stopping|stops|stopped|keeping|keeps) me (?:from )?(?:sleeping|working|walking|getting to sleep)",
            r"(?:<pain>|hip|it) (?:\w+ ){0,4}(?:at|around) (?:[1-5] ?am|(?:2|3|4) in the morning)|(?:lying|laying) in bed "
            r"(?:\w+ ){0,3}(?:throbs?|aches?|hurts)|without (?:a )?diet\w*",
            r"(?:lost|losing|lose|dropped|dropping) (?:\w+ ){0,3}(?:weight|wieght|kg|kgs|kilos|pounds|lbs) (?:\w+ ){0,3}(?:without (?:trying|tryng|triyng|dieting|meaning to)|not (?:sure|dieting|trying)|no idea why|dont know why|but i am not on diet|not on (?:a )?diet)",
            r"look(?:ing)? (?:so )?(?:gaunt|skeletal)|gotten (?:really |so )?(?:skinny|thin)|skin and bones",
            r"(?:soaked|drenched|soaking|drenching) (?:\w+ ){0,3}(?:sweat|sheets|bed|pyjamas|pjs)|(?:sheets|bed|pillow) (?:are |is )?soaked|(?:woke|wake|waking) up (?:\w+ )?soaked|sweat\w* (?:\w+ ){0,2}(?:every|at|most|each) night",
        ),
    ),
    Rule(
        category="cancer_history",
        tier="see_doctor",
        reason="With a history of cancer, new hip pain should be checked by a doctor.",
        source="Clinical addition: previous cancer is a red flag for bone metastasis in new musculoskeletal pain.",
        history_counts=True,
        patterns=(
            r"<not_someone_else>(?:had|have|has|having|history of|hx of|diagnosed with|treated for|treatment for"
            r"|battling|fighting|beat|beaten|survived|surviving|recovering from|remission from|previous|past"
            r"|prior) ~ (?:cancer|tumou?rs?|malignan\w*|lymphoma|leuka?emia|myeloma|melanoma|sarcoma|carcinoma)",
            r"<not_someone_else>my (?:breast |prostate |colon |bowel |bone |lung |skin |blood )?cancer",
            r"(?:cancer|tumou?r) (?:survivor|history|patient|treatment)",
            r"chemo\w*|radiotherapy|radiation (?:therapy|treatment)|in remission|metasta\w*|oncolog\w*",
            r"(?:thyroid|kidney|prostate|breast|colon|bowel|lung|skin|bone|blood|ovarian|cervical|testicular|pancreatic|liver) (?:cancer|cancr|tumou?r)|cancr",
            r"(?:had|have) (?:\w+ ){0,2}cancer (?:removed|treated|surgery)",
            r"(?:lymphoma|leuka?emia|myeloma|melanoma|sarcoma|carcinoma) (?:survivor|history|patient|treatment|\d+ years? clear)",
            r"(?:cancer|lymphoma|myeloma|melanoma|sarcoma|carcinoma) (?:\w+ )?(?:removed|cut out|excised|operated on)",
        ),
    ),
    Rule(
        category="femoral_neck_stress_fracture",
        paired=(
            r"(?:hip|pelvi\w*|groin|grion|thigh|femur|leg) ?bone|bone (?:\w+ ){0,2}(?:pain|ache|aches|hurts|sore|throbs?)"
            r"|deep (?:\w+ ){0,3}(?:groin|hip|joint|inside|down)|(?:hip|groin|pelvis|front of my hip) (?:\w+ ){0,4}"
            r"(?:hurts|pain|aches?|sore|throbs?)|(?:hurts|pain|aches?|sore|throbs?) (?:\w+ ){0,4}(?:hip|groin|pelvis)",
        ),
        together=(
            r"(?:no|havent had a|haven.?t had a|missed|missing|skipped|lost my|stopped (?:getting )?my|without a) periods?"
            r"|periods? (?:\w+ )?(?:stopped|disappeared|went away|gone)|no period|amenorr\w*|not eating (?:enough|much)"
            r"|under ?eat\w*|under ?fuel\w*|eating (?:pretty |very |really )?little|barely eat|\d{3,4} cal\w*"
            r"|dont eat much|restrict\w*|red s|energy deficien\w*|low energy availability|lean out|race weight",
            r"(?:doubled|tripled|jumped|bumped|ramped|ramping) (?:\w+ ){0,3}(?:miles?|mileage|milage|kms?|volume|weekly)"
            r"|(?:\d+) days? (?:straight|in a row)"
            r"|run streak|100 miles in a month|(?:run|ran|running|training|trained|miles|mileage|kms?) (?:\w+ ){0,2}a ton"
            r"|a ton (?:more )?(?:of )?(?:miles|mileage|running|kms?|volume)|way up|so much more|ramping up hard",
        ),
        tier="see_doctor",
        reason="Deep groin pain that gets worse with each run can be a stress fracture of the hip and needs a "
        "doctor's check before you run again.",
        source="Clinical addition: femoral neck stress fracture in runners (deep groin pain worsening with "
        "activity); Paluska 2005, the article's reference 9.",
        patterns=(
            r"deep ~1 (?:hip|groin) (?:pain|ache|aching|hurts?)|deep (?:in|inside|within) <my> (?:groin|hip)",
            r"deep ~ groin|groin ~ deep",
            r"(?:groin|hip|it|pain|ache|hurts?) ~ (?:worse|worsen\w*|more painful|hurts more|more and more"
            r"|progressively) ~ (?:each|every|every single|each and every) "
            r"(?:run|runs|mile|workout|session|time i run|day)",
            r"(?:femoral|femur|hip|neck|pelvic|pelvis|groin) ~ <stress_fracture>",
            r"<stress_fracture> (?:in|of) <my> (?:hip|femur|femoral neck|pelvis|groin|thigh ?bone)",
            r"(?:cant|cannot|can not|unable to|hurts to|painful to|pain when(?: i)?|hurts when(?: i)?) hop\w*",
            r"hop\w* (?:on (?:it|that leg|one leg|my \w+ leg) )?(?:hurts|is painful|causes pain|kills|ouch|owww?|is agony|stings)",
            r"(?:one|a|single|specific|exact|pinpoint|tiny|sore|tender) (?:\w+ ){0,2}(?:spot|point)"
            r"(?! on the (?:outside|outer|side))(?: \w+){0,6} (?:bone|pelvis|pelvic|groin|thigh)",
            r"(?:bone|pelvis|pelvic|groin|thigh ?bone) (?:\w+ ){0,6}(?:when i press|if i press|to (?:the )?touch|to tuch|press on it|with one finger|like a bruise)",
            r"(?:hurts?|pain|sharp|jolt|throbs?|throsb|aches?|scream\w*) (?:\w+ ){0,4}when (?:i |my foot |he |she )?(?:land|lands|landing|jump|jumps|jumping|hop|hopp|hops|hopping)",
            r"(?:landing|lands?|jump\w*|hop\w*|stepping (?:down|off)) (?:\w+ ){0,4}(?:sends|jolt|hurts|sharp|pain|scream\w*|throbs?|makes my (?:groin|hip))",
            r"(?:groin|grion|hip|pelvis) (?:\w+ ){0,4}(?:worse|worrse|more|deeper) (?:\w+ ){0,2}(?:every|each|evry) (?:run|step|stride|day|practice|outing|mile)",
            r"(?:worse|more) (?:\w+ ){0,2}(?:every|each|evry|with every) (?:run|step|stride|practice|outing)|every run is worse|worse every day",
            r"(?:each|every|evry) (?:run|time i run|session|outing) (?:it |the pain |its |my (?:hip|groin) )?(?:gets|is getting|getting|feels|is)"
            r" (?:a (?:little|bit|tad|touch) |slightly |even |bit )?worse",  # "each run it gets a little worse"
            r"\d+ (?:out of )?10 (?:\w+ ){0,2}when (?:i |im )?(?:hop\w*|land\w*|jump\w*)",  # "a 7/10 when I hop on it"
        ),
    ),
    Rule(
        category="hip_fracture_deformity",
        tier="emergency",
        reason="A leg that looks shorter or turned out, or a hip that may be broken or dislocated, needs urgent care.",
        source="Clinical addition: signs of hip fracture or dislocation (shortened, outward-turned leg, "
        "typically after a fall).",
        patterns=(
            r"(?:leg|foot|knee|toes) ~ (?:shorter(?! than (?:the |my )?other)(?!" + _IN_A_PICTURE + r")|turned out\w*|rotated|twisted out\w*"
            r"|at an? (?:odd|weird|strange|funny|wrong|unnatural) angle|deformed|crooked|out of place)",
            r"(?:looks|seems|appears) ~ shorter than (?:the |my )?other",
            r"(?<!stress )(?:broke|broken|break|breaking|fractured|fracture|cracked|shattered) <my> "
            r"(?:hip|hips|femur|pelvis|thigh ?bone|hip ?bone)",
            r"(?:hip|femur|pelvis) ~ (?:broken|fractured|cracked|shattered)",
            r"(?:hip|femur|femoral|pelvic|pelvis) (?:neck )?fracture",
            r"dislocat\w* ~ hip|hip ~ dislocat\w*",
            r"(?:hip|ball) ~ (?:popped|popping|came|slipped|went|pops) out(?! (?:for|to))",
            r"(?:cant|cannot|can not|unable to) (?:lift|raise|move) <my> (?:leg|hip) "
            r"(?:at all|after (?:the |my |a )?fall)",
            r"(?:leg|thigh|hip|knee|foot|bone) (?:\w+ ){0,3}(?:looks|is|seems|now|feels) (?:\w+ ){0,2}(?:twisted|bent|wrong|weird|crooked|out of place|out of plaec|deformed|not (?:the )?same length|rolled out|sticking out"
            r"|out of line|out of alignment|misaligned)",
            r"(?:bend|kink|angle|bump|dent) in (?:it|my \w+|the \w+) where (?:there )?(?:shouldnt|should not)|where there shouldnt be (?:one|a bend|an angle)",
            r"(?:bump|lump|bulge) that wasnt there|not (?:the )?same length|different lengths?|(?:more|much) short(?:er)? (?:and|than)|sticking out (?:weird|wrong|funny|oddly)",
            r"(?:popped|pops|came|slipped|jumped) out of (?:place|the socket|joint|its socket)"
            r"|(?:hip|leg|knee|bone|joint|it|thigh|femur) (?:\w+ ){0,3}out of (?:its )?(?:socket|place|plaec)",
            r"(?:might be|must be|could be|is|think (?:its|it is|it might be)|pretty sure (?:\w+ ){0,2}(?:is|its)) (?:\w+ )?broken",
            r"rolled out to the side|turn(?:s|ed)? to (?:the )?outside|(?:leg|foot|knee) (?:is |looks )?turned in",
            r"(?:leg|hip) (?:\w+ ){0,4}(?:shorter(?!" + _IN_A_PICTURE + r")|sits funny|cant (?:get it|straighten)|wont straighten)"
            r"|cant get my leg straight|clunked out",
        ),
    ),
    Rule(
        category="older_adult_fall",
        tier="emergency",
        reason="An older adult, or anyone with thin bones, who falls or stumbles can break a hip without much "
        "pain at first, and needs urgent care.",
        source="Clinical addition: low-energy falls in older adults or with osteoporosis are the typical cause "
        "of hip fractures; assess urgently even when the person says they are fine.",
        patterns=(),
        paired=(
            r"<not_thing>(?:fell|fel|fall|falls|fallen|falling|tumbled?|tumbling|slipped|slipt|slid|stumbled?|stumbeld"
            r"|stumbling|tripped|trip (?:on|over)|went down|ended up on the (?:floor|ground))"
            r"(?! (?:marathon|race|half|5k|10k|season|schedule|training|running|colou?rs|in love|for it|asleep|behind"
            r"|short|apart|ill|sick|off the wagon))",
            r"(?:a|little|small|bad|nasty|the) (?:fall|tumble|spill|stumble|trip)(?! (?:season|race|marathon|5k|10k|down the))",
            r"lost (?:my|his|her|their) (?:footing|balance)|missed (?:a|the|her|his|my) (?:\w+ )?(?:step|stair|footing)",
            r"(?:went|gone|going) over(?! (?:the|my|our|it|this|that|budget|time|plan))|came off (?:the|a|her|his|my) "
            r"(?:\w+ )?(?:step|ladder|stool|chair|bed|curb|kerb|stairs?)|sat down hard|had a (?:wobble|tumble|spill|fall)"
            r"|landed on (?:her|his|my|their) (?:side|hip|bottom|bum|back)|on the (?:\w+ )?floor (?:this|last|when|and)"
            r"|found (?:\w+ ){0,2}on the (?:\w+ )?floor",
            r"(?:cant|couldnt|cannot|could not) get (?:up|back up) (?:off|from) the (?:floor|ground)",
        ),
        together=(
            r"(?:im|i am|aged?|age|is|turned|turning|hes|shes|now|just) (?:6[5-9]|[7-9]\d|10\d)\b",
            r"\b(?:6[5-9]|[7-9]\d|10\d) ?(?:yo|y o|yrs?|years?|year old|years old|f|m)\b|^(?:6[5-9]|[7-9]\d|10\d)$",
            r"\b(?:mum|mom|mother|dad|father|client|patient|resident|neighbou?r|husband|wife|partner|aunt|auntie|uncle"
            r"|friend|grandma|grandpa|grandmother|grandfather|gran|nan|parent|lady|man|woman|gentleman|he|she|i|me"
            r"|brother|sister|in law|mil|fil) (?:or |and |is |aged |age )?(?:6[5-9]|[7-9]\d|10\d)\b(?! (?:minutes|mins|seconds"
            r"|secs|km|kms|miles|percent|kg|kgs|lbs|pounds|bpm))",  # "my mum, 88, slid…" reads "my mum or 88"
            r"in (?:his|her|my|their|the) (?:late 60s|late sixties|70s|80s|90s|seventies|eighties|nineties)",
            r"elderly|senior|pensioner|old (?:lady|man|woman|guy|girl|timer)|great grand\w*|grand(?:ma|pa|mother"
            r"|father|mom|mum|dad|ad)|granny|gran|nan|nana|nanna",
            r"osteopor\w*|osteopen\w*|(?:thin|brittle|weak|fragile|low density) bones|low bone density"
            r"|bone density (?:is )?(?:low|poor)|(?:meds|medication|treatment|injections?) for (?:my |her |his )?bones",
        ),
    ),
    Rule(
        category="child_limp",
        paired=(
            r"(?:wont|refuses? to|refusing to|doesnt want to) (?:walk|stand|put (?:her|his|their) (?:\w+ )?(?:leg|foot) down)"
            r"|wants to be carried|favou?ring (?:one|a|her|his|the) (?:\w+ )?leg|crying when (?:we|i) put (?:her|him) down",
        ),
        together=(r"<kid>",),
        tier="see_doctor",
        reason="A child or teenager with a limp needs a doctor's check.",
        source="Clinical addition: a limping child needs assessment (septic joint, slipped growth plate, Perthes).",
        patterns=(
            r"<kid> ~ (?:(?<!goes )(?<!go )(?<!went )(?<!pretty )(?<!so )limp\w*(?! excuses?)|wont walk|refuses to walk|refusing to walk|not walking|stopped walking|cant walk"
            r"|isnt walking|wont put weight|walking funny|walks funny)",
            r"(?<!goes )(?<!go )(?<!went )(?<!pretty )(?<!so )limp\w*(?! excuses?) ~1 <kid>",
            r"<kid> (?:\w+ ){0,6}(?:(?<!goes )(?<!go )(?<!went )(?<!pretty )(?<!so )limp\w*(?! excuses?)|limpng)",  # "my daughter is 10 and has been limping"
            r"<kid> (?:\w+ ){0,6}(?:wont|refuses? to|refusing to|doesnt want to|cant) (?:walk|stand|put (?:weight|her|his|it)|bear weight)",
            r"<kid> (?:\w+ ){0,6}(?:dragging|drags|favou?ring|hobbl\w*|walking (?:funny|weird|strange|oddly)|wants to be carried|limpng)",
        ),
    ),
)


@dataclass(frozen=True)
class BenignSign:
    """A symptom the article itself explains as a common, self-treatable cause. The meaning layer does not
    escalate a message that describes one (the rule table has its own exceptions, in its patterns)."""

    name: str
    pattern: str
    source: str


BENIGN_SIGNS: tuple[BenignSign, ...] = (
    BenignSign("bursitis: worse lying on the sore side",
               r"(?:lie|lies|lying|laying|lay|sleep|sleeping|roll onto|rolling onto) on (?:it|side|that side|this side"
               r"|that hip|this hip|my (?:\w+ )?(?:side|hip)|the (?:\w+ )?(?:side|hip))",
               "Article, Tendon bursitis: 'You may notice it more at night, especially if you lie on your injured hip'."),
    BenignSign("tight hip flexors: felt more after stopping",
               r"(?:more|worse) (?:\w+ ){0,2}(?:when|after|once) (?:i )?(?:stop|stopping|stopped|finish|finishing) "
               r"(?:running|my run|a run|the run)",
               "Article, Tight hip flexor muscles: 'You may notice this pain more when you stop running'."),
    BenignSign("frustration at not running as before",
               r"frustrat\w*(?:\s\w+){0,4}\s(?:cant|cannot|can not|not able to|unable to|couldnt) (?:run|train)(?: \w+){0,2} "
               r"(?:like (?:before|normal|i used to|i want|i did)|as (?:much|before|i want|i used to|normal)"
               r"|the way i (?:want|used to))",
               "Article, introduction: 'Runners who come in with hip pain are usually really frustrated because they "
               "can't do the thing they love as they want to'."),
    BenignSign("imaging findings",
               r"(?:mri|x ?rays?|scans?|imaging|ultrasound) (?:\w+ ){0,3}(?:showed|shows|found|finds|says|said|came back)",
               "Article, A Hinge Health Perspective Check: imaging 'abnormalities' are common without symptoms."),
)

