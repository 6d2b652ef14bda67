"""Questions about the article itself — who wrote or reviewed it, who published it, when and where — and their
answers.

"Who wrote this?" means little to an embedding model: retrieval found the reference list's authors or
filler, and the decline model, seeing no passage close to it, often declined. These questions have
exact answers in the front matter ("About This Article") and the clinicians' bios, so they are
recognised by their words and answered with those lines, cited like any other sentence. A front-matter line is
shown as a reader would say it (`readable`: "Published on Mar 26, 2024.", not "published: Mar 26, 2024"), in its
own words only, and the verifier accepts exactly that rendering of the span it cites.

>>> asked_about("who reviewed it"), asked_about("when did it come out"), asked_about("who else checked it")
(('reviewers',), ('published',), ('reviewers',))
>>> asked_about("when was this publsihed"), asked_about("who is jonathan lee", ["Jonathan Lee"])
(('published',), ('lee',))
>>> asked_about("who wrote the mri study"), asked_about("when should i see a doctor")
((), ())
>>> asked_about("which pt do they keep quoting"), asked_about("who even publishes this")
(('quoted',), ('publisher',))
>>> asked_about("got a link to the original page?"), asked_about("is there a link between hip pain and diet")
(('source',), ())
>>> asked_about("see [link](https://example.com) for ice")  # markup in a message is not a question about the link
()
>>> asked_about("who wrote this"), asked_about("who's behind this article")  # no byline: the publisher and clinicians
(('publisher', 'clinicians'), ('publisher', 'clinicians'))
>>> asked_about("was it reviewed by an actual surgeon"), asked_about("when'd it come out")
(('medical reviewer', 'credentials'), ('published',))
>>> asked_about("who did the medical review"), asked_about("and the clinical reviewer?")
(('medical reviewer',), ('clinical reviewer',))
>>> asked_about("this article is from which website"), asked_about("when written?")  # word order of a learner
(('publisher',), ('published',))
>>> asked_about("when this article was publish?"), asked_about("which company make this article")
(('published',), ('publisher',))
>>> asked_about("when written exercises feel easy, add weight")
()
>>> asked_about("she is doctor or physio?", [], lambda: "kimbrough")  # "she": the clinician the chat last named
('kimbrough',)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from .models import Chunk, Sentence

ABOUT_SECTION = "About This Article"
# The one-value front-matter lines the "About This Article" passage quotes (chunking.py) and `readable` says.
FRONT_MATTER_KEYS = ("publisher", "published", "source_url")
_KEYS = "|".join(FRONT_MATTER_KEYS)
EXPERTS_SECTION = "Our Hinge Health Experts"

# "this", "the article", and the article by a longer name ("the hinge health hip pain after running article"), or bare
# ("when article was published").
_THE_ARTICLE = (r"(?:this|it|(?:(?:the|this) (?:[\w-]+ ){0,7}?)?(?:article|piece|page|post)"
                r"|the piece|this piece|the page|this page|the post|this post)")
_CLINICIAN = r"(?:pts?|physios?|physiotherapists?|physical therapists?|therapists?|doctors?|clinicians?|experts?)"
_NOT_THE_ARTICLE = re.compile(r"\b(stud(?:y|ies)|papers?|research|references?|journals?|trials?|surveys?|sources?"
                               r"|review of)\b")
_ASKS = {
    "published": re.compile(
        rf"\bwhen(?: (?:was|did|is|were)|'?d) {_THE_ARTICLE}\b.*\b(?:publ\w*|writ\w*|come out|came out|post\w*|releas\w*"
        rf"|updat\w*|dated|put (?:up|out)|made)\b|\b(?:publ\w*|post|release) date\b|\bdate (?:of|on) "
        rf"{_THE_ARTICLE}\b|\bhow (?:old|recent|new|current) is {_THE_ARTICLE}\b|\bwhat (?:date|year) (?:was|is|did)"
        rf" {_THE_ARTICLE}\b|\bis {_THE_ARTICLE} (?:up to date|recent|current|outdated|old)\b"
        rf"|\bwhen(?:'?s| is| was)? {_THE_ARTICLE} (?:from|dated)\b|\bwhat year\b.*\b{_THE_ARTICLE}\b"
        rf"|\bwhen (?:was|is|did) {_THE_ARTICLE} (?:\w+ )?out\W*$"  # "and when was it out?"
        # a learner's word order: "when written?", "when this article was publish?", "it was written when?"
        rf"|^\W*(?:and |so )?when (?:{_THE_ARTICLE} )?(?:was |is )?(?:written|published|posted|released)\W*$"
        rf"|\bwhen {_THE_ARTICLE} (?:was |is |been )?(?:publ\w*|writ\w*|post\w*|releas\w*)"
        # "when did they put this out", "when did hinge publish it": the publisher as the subject
        rf"|\bwhen (?:did|do|does) (?:they|you|hinge(?: health)?) (?:publ\w*|writ\w*|post\w*|releas\w*"
        rf"|put (?:{_THE_ARTICLE} )?(?:up|out))"
        rf"|\b{_THE_ARTICLE} (?:was |is )?(?:publ\w*|writ\w*|post\w*|releas\w*) when\b"),
    "publisher": re.compile(
        rf"\bwho (?:\w+ )?(?:published|publishes|puts (?:{_THE_ARTICLE} )?out|put (?:{_THE_ARTICLE} )?out|runs|owns)\b|\bpublisher\b"
        rf"|\b(?:what|which) (?:company|website|site|organi[sz]ation|brand)\b.*\b(?:publish\w*|behind|wrote|made|(?:makes?|writes?) {_THE_ARTICLE}|puts? (?:this |it |the article )?out)\b"
        rf"|\bwho(?:'?s| is) behind\b"
        rf"|\b(?:what|which) (?:web ?site|site|company|organi[sz]ation|brand)(?: ?(?:/|or) ?\w+)?(?:'?s| is| was) {_THE_ARTICLE} (?:from|on|by)\b"
        rf"|\bwhat (?:web ?site|site) is this\W*$"  # "what site is this from"
        rf"|\b{_THE_ARTICLE} (?:is |was |comes? )?(?:from|on|by) (?:which|what) (?:web ?site|site|company|organi[sz]ation"
        rf"|brand)\b"),  # "this article is from which website"
    "clinicians": re.compile(
        rf"\bwho (?:actually |even |really )?(?:wrote|writes|authored|made|put together|created|is the author)\b"
        rf"|\bauthor(?:s|ed)?\b"
        rf"|\bwritten by\b|\bwho (?:is|was) {_THE_ARTICLE} (?:by|from)\b|\bwho are the (?:experts|clinicians"
        rf"|{_CLINICIAN}s)\b|\b(?:which|what) {_CLINICIAN}s? (?:\w+ ){{0,2}}(?:worked on|wrote|helped|behind|involved)\b"
        rf"|\b(?:doctors?|mds?|physicians?|surgeons?) (?:\w+ ){{0,2}}involved\b"),
    "reviewers": re.compile(
        r"\bwho\b.*\b(?:check\w*|review\w*|vet\w*|approv\w*|fact.?check\w*|look\w* over|signed off)\b"
        r"|\bwhich (?:\w+ ){1,2}(?:reviewed|checked|vetted|approved)\b"
        r"|\b(?:did|has|have) (?:a |an |any |the )?(?:real |actual |proper |qualified )?(?:doctors?|mds?|physicians?|surgeons?|clinicians?|experts?|professionals?"
        r"|pts?|physios?) (?:\w+ )?(?:check|review|vet|approve|look (?:at|over)|sign off)\w* (?:it|this|the article)\b"
        r"|\breviewers?\b|\breviewed by\b|\b(?:any|some)(?:one|body) (?:else )?(?:check\w*|review\w*|vet\w*)\b|\bmedically reviewed\b|\b(?:was|is|has) (?:this|it|the article)\b.*\b"
        r"(?:reviewed|checked|vetted)\b"),
    "source": re.compile(
        rf"(?<!\[)\b(?:links?|url|web ?address|web ?page)\b(?!\]\(| (?:between|to (?:hip|pain|running|arthritis)))"
        rf"|\boriginal (?:article|page|post|piece|source|version)\b"
        rf"|\bwhere (?:can|do|could) i (?:find|read|see|get) {_THE_ARTICLE}\b"),
    "quoted": re.compile(
        rf"\b(?:quot\w*|cit(?:es|ed|ing)|interview\w*)\b.*\b(?:{_CLINICIAN}|experts?|who)\b"
        rf"|\b(?:{_CLINICIAN}|experts?|who|whose)\b.*\b(?:quot\w*|interview\w*)\b|\bwhose advice\b"),
}
# The article has no byline: "who wrote this?" is answered with who published it and the clinicians behind it.
_AUTHORSHIP = re.compile(
    r"\bwho (?:actually |even |really )?(?:wrote|writes|authored|made|created|put together|is the author of)"
    r"(?: (?:this|it|the) (?:\w+ ){0,4}?(?:article|piece|page|post|blog|thing)| this| it)?\s*[?.!]*$"
    r"|\bwho(?:'?s| is) behind\b")
_VOUCHED = re.compile(r"\b(?:legit\w*|actual|real|proper|qualified|qualifications?|credentials?|credible|trust\w*"
                      r"|bloggers?|blog|random|certified|expert enough)\b")
_ABOUT_A_PERSON = re.compile(
    r"\bwho(?:'?s| is| are| was)\b|\bcredential\w*|\bqualifi\w*|\bdegrees?\b|\bcertifi\w*|\brole\b|\bjob\b|\btitle\b"
    r"|\bbackground\b|\bbio\b"
    r"|\bspecialt\w*|\bspeciali[sz]\w*|\bwhat (?:does|did) (?:\w+ ){1,3}do\b|\bwhat kind of (?:doctor|pt|physio|"
    r"therapist|surgeon)\b|\bis (?:she|he|dr \w+|\w+) (?:a|an) (?:real |actual |proper |qualified )?(?:doctor|surgeon|pt|physio\w*"
    r"|physical therapist|md)\b|\b(?:she|he) (?:is|was) (?:a |an )?(?:real |actual |proper |qualified )?(?:doctor|surgeon"
    r"|pt|physio\w*|physical therapist|md)\b")  # "she is doctor or physio?"
_WORD = re.compile(r"[a-z]+")
# "which one is the surgeon?", "who's the physio": the clinician by their role (as the front matter words it)
_ROLES = {"surgeon": "surgeon", "orthopedic surgeon": "surgeon", "ortho": "surgeon", "md": "surgeon",
          "doctor": "surgeon", "physical therapist": "physical therapist", "pt": "physical therapist",
          "physio": "physical therapist", "physiotherapist": "physical therapist"}
_WHICH_ROLE = re.compile(rf"\b(?:which|who)(?: one| of (?:them|the \w+))?(?:'?s| is| was)(?: the| a| an)?"
                         rf" ({'|'.join(sorted(_ROLES, key=len, reverse=True))})\W*$")


_PRONOUN = re.compile(r"\b(?:she|he|her|him|hers|his)\b")
# Who said a thing the last answer showed: "who says that?", "whose advice is that", "who's that quote from"
_WHO_SAID = re.compile(
    r"\bwho(?:'?s| is| was)? (?:\w+ )?(?:says?|said|saying|quoted|claims?|claimed|recommends?|recommended|suggests?"
    r"|suggested)\b|\bwho(?:se|s) (?:quote|words|advice|idea|tip|rule|line)\b|\bwho(?:'?s| is| was) (?:that|this|it)"
    r" (?:\w+ )?(?:from|by)\b|\bwho (?:came up with|gave|gives) (?:that|this|it)\b")


def asks_who_said(question: str) -> bool:
    """"who says that in the article?": a question about who is quoted saying what was just shown."""
    return bool(_WHO_SAID.search(question.lower().replace("’", "'")))


def speaker(text: str, people: Sequence[str]) -> str | None:
    """The surname of the clinician a text names last ("… says Dr. Kimbrough" → "kimbrough"), if any."""
    found = [(m.start(), name.split()[-1].lower()) for name in people
             for m in re.finditer(rf"\b{re.escape(name.split()[-1])}\b", text, re.I)]
    return max(found)[1] if found else None


def named_with_role(text: str, question: str, chunks: Sequence[Chunk]) -> str | None:
    """Of the clinicians a text names, when it names several, the one whose front-matter role the question names
    ("is he a surgeon" → "lee"); None when the text names fewer than two or the role fits none or several."""
    asked = [role for word, role in _ROLES.items()  # not "doctor": the physical therapists are doctors too (DPT)
             if word != "doctor" and re.search(rf"\b{word}\b", question.lower())]
    about = _section(chunks, ABOUT_SECTION)
    if not asked or about is None:
        return None
    lines = {_surname(s.text): s.text.lower() for s in about.sentences if s.text.startswith("name:")}
    named = [surname for surname in lines if re.search(rf"\b{re.escape(surname)}\b", text, re.I)]
    fits = [surname for surname in named if asked[0] in lines[surname]]
    return fits[0] if len(named) > 1 and len(fits) == 1 else None


_TEAM = re.compile(r"\bHinge Health (?:care team|physical therapists)\b")


def team_saying(text: str) -> str | None:
    """The publisher's team when a text gives it as the one who says or recommends something ("As our Hinge Health
    care team says, movement is medicine."): it has no front-matter line of its own, only the sentence."""
    return "Hinge Health" if _TEAM.search(text) else None


# Which reviewer a question means: the medical one is the orthopedic surgeon, the clinical one the physical therapist.
_REVIEWER_ROLE = re.compile(r"\b(medical(?:ly)?)\b|\b(surgeon|doctor|md|physician|ortho\w*)\b|\b(clinical(?:ly)?|"
                            r"physical therapist|pt|dpt|physio\w*)\b")


def asked_about(question: str, people: Sequence[str] = (),
                in_focus: Callable[[], str | None] = lambda: None) -> tuple[str, ...]:
    """What about the article a question asks for: "published", "publisher", "source", "clinicians", "reviewers"
    (or one of them: "medical reviewer", "clinical reviewer"), "credentials" (who they are: their bios), or the
    surname of one of `people` (the clinicians' full names); () when it asks about something else. `in_focus()`
    gives the surname a follow-up's "she" or "his" points at (the clinician the conversation last named); it is
    called only for such a question, as finding it re-reads the conversation."""
    text = question.lower().replace("’", "'")
    about_a_study = bool(_NOT_THE_ARTICLE.search(text))  # "who wrote the MRI study" is the reference list's
    names_the_article = bool(re.search(r"\b(?:article|piece|page|post|blog)\b", text))
    found = [field for field, pattern in _ASKS.items() if pattern.search(text)
             and not (about_a_study and (field in ("clinicians", "reviewers", "quoted", "published")
                                         or not names_the_article))]  # "when was the study in this article published"
    if _VOUCHED.search(text) and {"clinicians", "reviewers"} & set(found):
        found.append("credentials")  # "is it an actual PT or just some blogger?": their bios say who they are
    if "reviewers" in found and (role := _REVIEWER_ROLE.search(text)):
        # "and the clinical reviewer?", "who's the surgeon that checked this article over": that one, and who
        found[found.index("reviewers")] = "medical reviewer" if role[1] or role[2] else "clinical reviewer"
    if (which := _WHICH_ROLE.search(text)) and not about_a_study:
        found.append(_ROLES[which[1]])  # "which one is the surgeon?": that clinician's line, with the name
    if _AUTHORSHIP.search(text) and not about_a_study:
        found = ["publisher", "clinicians", *(f for f in found if f not in ("publisher", "clinicians"))]
    words = set(_WORD.findall(text))
    named = [name.split()[-1].lower() for name in people if words & set(name.lower().split())]
    if named and (_ABOUT_A_PERSON.search(text) or len(words - {w for n in people for w in n.lower().split()}) <= 3):
        found += [n for n in named if n not in found]  # "who is jonathan lee", "and dylan peterson?"
    elif not named and _PRONOUN.search(text) and _ABOUT_A_PERSON.search(text) and (person := in_focus()):
        found.append(person)  # "is she an ortho specialist?" after "… says Dr. Kimbrough"
    return tuple(found)


def answer_lines(asked: Sequence[str], chunks: Sequence[Chunk]) -> list[tuple[Chunk, int]]:
    """The front-matter lines and bios that answer, as (chunk, sentence index), in the article's order."""
    about, experts = _section(chunks, ABOUT_SECTION), _section(chunks, EXPERTS_SECTION)
    picks: list[tuple[Chunk, int]] = []
    if about is None:
        return picks
    if "quoted" in asked and (quoted := most_quoted(chunks)):
        asked = (*asked, quoted)  # "which PT do they keep quoting?": that clinician's line and bio
    roles = [role for role in asked if role.endswith(" reviewer") or role in _ROLES.values()]  # that one reviewer
    for i, sentence in enumerate(about.sentences):
        text = sentence.text
        wanted = (("published" in asked and text.startswith("published:"))
                  or ("publisher" in asked and text.startswith("publisher:"))
                  or ("source" in asked and text.startswith("source_url:"))
                  or ("clinicians" in asked and text.startswith("name:"))
                  or ("reviewers" in asked and text.startswith("name:") and "review" in text.lower())
                  or any(text.startswith("name:") and role in text.lower() for role in roles)
                  or any(text.startswith("name:") and _surname(text) == person for person in asked))
        if wanted:
            picks.append((about, i))
    people = {_surname(about.sentences[i].text) for _, i in picks if about.sentences[i].text.startswith("name:")}
    about_whom = people if "credentials" in asked or roles else set(asked) & people
    if experts is not None and about_whom:  # a question about one person, or their standing, also gets the bio
        picks += [(experts, i) for i, s in enumerate(experts.sentences) if any(f" {p.title()} " in f" {s.text} "
                                                                               for p in about_whom)]
    return picks + _introductions(about_whom, chunks)


def _introductions(surnames: set[str], chunks: Sequence[Chunk]) -> list[tuple[Chunk, int]]:
    """Where the body introduces one of these clinicians by full name and credentials, that introduction, from the
    name to the sentence's end ("Mary Kimbrough, PT, DPT, OCS, a physical therapist at Hinge Health, and an avid
    runner."): it says more about who she is than the front matter does ("does she run herself?"). Returned as
    its passage with that sentence cut to the span, so the citation quotes exactly what is shown."""
    body = [(chunk, i, sentence) for chunk in chunks if chunk.heading_path[-1] not in (ABOUT_SECTION, EXPERTS_SECTION)
            for i, sentence in enumerate(chunk.sentences)]
    found = []
    for name in (name for name in people(chunks) if name.split()[-1].lower() in surnames):
        first = next(((c, i, s) for c, i, s in body if f"{name}," in s.text), None)  # the first says who they are
        if first:
            chunk, i, sentence = first
            at = sentence.text.index(f"{name},")
            span = Sentence(sentence.text[at:], sentence.start + at, sentence.end)
            found.append((replace(chunk, sentences=(*chunk.sentences[:i], span, *chunk.sentences[i + 1:])), i))
    return found


# The front matter's lines as the "About This Article" passage holds them: "publisher: Hinge Health",
# "published: Mar 26, 2024", "source_url: https://…", and one clinician's "name: …\n  credentials: …\n  role: …".
_LINE = re.compile(rf"(?m)^-?[ \t]*(?:(?P<key>{_KEYS}): (?P<value>[^\n]+)"
                   r"|name: (?P<name>[^\n]+)\n[ \t]*credentials: (?P<credentials>[^\n]+)\n[ \t]*role: (?P<role>[^\n]+))$")


def readable(line: str) -> str:
    r"""A front-matter line as a reader would say it, in its own words only: "publisher: Hinge Health" → "Published
    by Hinge Health.", "published: Mar 26, 2024" → "Published on Mar 26, 2024.", "source_url: https://…" → "The
    original article: https://…", a clinician's three lines →
    "Jonathan Lee, MD, MBA: Orthopedic Surgeon and Medical Reviewer". Any other text comes back as it is.

    >>> readable("name: Mary Kimbrough\n  credentials: PT, DPT\n  role: Physical Therapist")
    'Mary Kimbrough, PT, DPT: Physical Therapist'
    """
    match = _LINE.fullmatch(line.strip())
    if match is None:
        return line
    if match["key"] == "source_url":
        return f"The original article: {match['value'].strip()}"
    if match["key"]:
        return f"Published {'by' if match['key'] == 'publisher' else 'on'} {match['value'].strip()}."
    return f"{match['name'].strip()}, {match['credentials'].strip()}: {match['role'].strip()}"


_KEY = re.compile(rf"^-?\s*(?:name|credentials|role|bio|{_KEYS}): ")


def as_shown(quote: str) -> str:
    """A quote of the front matter as an answer shows it: a whole line as `readable` says it, part of one by its
    value ("name: Mary Kimbrough" → "Mary Kimbrough"). What a scorer looks for in an answer."""
    said = readable(quote)
    return said if said != quote else _KEY.sub("", quote)


def readable_lines(quote: str) -> set[str]:
    """Every front-matter line of a quoted span, as `readable` says it: what a verifier may accept for it."""
    return {readable(m.group(0)) for m in _LINE.finditer(quote)}


def most_quoted(chunks: Sequence[Chunk]) -> str | None:
    """The surname of the clinician the article's body names most often ("says Dr. Kimbrough"), if any."""
    body = " ".join(s.text for c in chunks if c.heading_path[-1] not in (ABOUT_SECTION, EXPERTS_SECTION)
                    for s in c.sentences)
    counts = {name.split()[-1].lower(): len(re.findall(rf"\b{re.escape(name.split()[-1])}\b", body))
              for name in people(chunks)}
    best = max(counts, key=counts.get, default=None)
    return best if best and counts[best] else None


def people(chunks: Sequence[Chunk]) -> list[str]:
    """The clinicians' full names, from the front-matter lines."""
    about = _section(chunks, ABOUT_SECTION)
    return [re.match(r"name: (.+)", s.text).group(1).strip() for s in (about.sentences if about else ())
            if s.text.startswith("name:")]


def _section(chunks: Sequence[Chunk], heading: str) -> Chunk | None:
    return next((c for c in chunks if c.heading_path[-1] == heading), None)


def _surname(line: str) -> str:
    return re.match(r"name: (.+)", line).group(1).split("\n")[0].split()[-1].lower()
